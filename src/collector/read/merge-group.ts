// The one rule for folding a piece into an aggregate's groups, on the request thread
// (aggregate.ts, fold-payloads.ts) and on a merge thread (merge-worker.ts): the first group whose
// sketch takes it. A failed merge leaves that group untouched, so trying the next one is safe;
// pieces whose sketches cannot merge (a private-mode grid next to a full histogram) start a group
// of their own.
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

/** Folds `p` into the first group that takes it, naming `member` there, or starts a group with it. */
export function foldInto<M>(groups: { sketch: Profile; members: M[] }[], p: Profile, member: M): void {
  const g = mergeIntoGroup(groups, p);
  if (g) {
    p.dispose();
    g.members.push(member);
  } else groups.push({ sketch: p, members: [member] });
}
