// The one rule for folding a piece into an aggregate's groups, on the request thread
// (aggregate.ts) and on a merge thread (merge-worker.ts): the first group whose sketch takes it.
// A failed merge leaves that group untouched, so trying the next one is safe; pieces whose
// sketches cannot merge (a private-mode grid next to a full histogram) start a group of their own.
import type { Profile } from '../core.ts';

export function mergeIntoGroup<G extends { sketch: Profile }>(groups: G[], p: Profile): G | undefined {
  return groups.find((g) => {
    try {
      g.sketch.merge(p);
      return true;
    } catch {
      return false;
    }
  });
}
