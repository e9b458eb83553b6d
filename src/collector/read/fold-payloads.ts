// Folds a list of stored payloads into groups of mergeable sketches, for work that writes the
// result back as bytes (a rollup). With the collector's merge threads (merge-pool.ts) the decoding
// and merging run there and this thread only moves bytes; without them (a test's core, the CLI)
// they run here, one payload per slice of the event loop.
import type { Core, Profile } from '../core.ts';
import { yieldToLoop } from '../yield.ts';
import { foldInto } from './merge-group.ts';
import { mergePoolOf } from './merge-pool.ts';

export interface Folded {
  /** Each group's merged sketch and the indexes of the payloads in it, in the order given. */
  groups: { bytes: Uint8Array; members: number[] }[];
  /** Payloads that did not decode, with the core's reason. */
  unreadable: { index: number; reason: string }[];
}

/**
 * Payloads handed to a merge thread at once. Uploads' validating decode waits in the same queue:
 * four wide uploads are a few tens of ms of the thread, sixteen held ingest up for hundreds.
 */
const PAGE = 4;

/** Folds `payloads` in order, each into the first group whose sketch takes it (merge-group.ts). */
export async function foldPayloads(core: Core, payloads: Uint8Array[]): Promise<Folded> {
  const pool = mergePoolOf(core);
  if (!pool) return foldHere(core, payloads);
  const session = pool.open();
  const unreadable: Folded['unreadable'] = [];
  try {
    for (let i = 0; i < payloads.length; i += PAGE) {
      const page = payloads.slice(i, i + PAGE).map((payload, j) => ({ index: i + j, payload }));
      unreadable.push(...(await session.add(page)));
    }
    return { groups: await session.finish(), unreadable };
  } catch (err) {
    session.cancel();
    throw err;
  }
}

async function foldHere(core: Core, payloads: Uint8Array[]): Promise<Folded> {
  const groups: { sketch: Profile; members: number[] }[] = [];
  const unreadable: Folded['unreadable'] = [];
  try {
    for (const [index, payload] of payloads.entries()) {
      await yieldToLoop();
      let p: Profile;
      try {
        p = core.profileFromBytes(payload);
      } catch (err) {
        unreadable.push({ index, reason: String((err as Error)?.message ?? err).split('\n')[0] });
        continue;
      }
      foldInto(groups, p, index);
    }
    return { groups: groups.map((g) => ({ bytes: g.sketch.toBytes(), members: g.members })), unreadable };
  } finally {
    for (const g of groups) g.sketch.dispose();
  }
}
