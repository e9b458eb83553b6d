// Keeps the outbox under its size cap: the oldest windows are merged into coarser ones first
// (exact merges in the core), and only when nothing can be merged is the oldest window dropped.
// Every drop is counted; the count travels in the next window's header ('dropped').
import type { Core, Profile } from '../core/index.ts';
import { droppedIn, mergedHeader } from '../core/upload-header.ts';
import type { OutboxEntry, Store } from './store.ts';

export const DROPPED_KEY = 'dropped-windows';

function size(entries: OutboxEntry[]): number {
  return entries.reduce((s, e) => s + e.bytes.byteLength, 0);
}

/** Returns the number of windows dropped by this pass. Call it holding the outbox lock. */
export async function compactOutbox(store: Store, core: Core, cap: number): Promise<number> {
  let entries = await store.outbox();
  let dropped = 0;
  while (entries.length > 0 && size(entries) > cap) {
    const pair = mergeablePair(entries);
    if (pair) {
      const merged = mergeEntries(core, entries[pair[0]], entries[pair[1]]);
      if (merged.bytes.byteLength < entries[pair[0]].bytes.byteLength + entries[pair[1]].bytes.byteLength) {
        await store.replaceOutbox([entries[pair[0]].uploadId, entries[pair[1]].uploadId], [merged]);
        entries = await store.outbox();
        continue;
      }
    }
    const oldest = entries[0];
    const carried = droppedBy(core, oldest);
    await store.deleteOutbox(oldest.uploadId);
    await store.update<number>(DROPPED_KEY, (n) => (n ?? 0) + 1 + carried);
    dropped++;
    entries = await store.outbox();
  }
  return dropped;
}

/**
 * The two oldest windows of one group that were never sent: a window that was sent may already
 * be at the collector, and merging it into another would count it twice.
 */
function mergeablePair(entries: OutboxEntry[]): [number, number] | null {
  for (let i = 0; i < entries.length; i++) {
    // A secure window is its batch's, and holds at most the rows its noise is calibrated to.
    if (entries[i].attempts > 0 || entries[i].secure) continue;
    for (let j = i + 1; j < entries.length; j++) {
      if (entries[j].attempts === 0 && !entries[j].secure && entries[j].group === entries[i].group) return [i, j];
    }
  }
  return null;
}

function droppedBy(core: Core, e: OutboxEntry): number {
  let p: Profile | undefined;
  try {
    p = core.profileFromBytes(e.bytes);
    return droppedIn(p.meta);
  } catch {
    return 0;
  } finally {
    p?.dispose();
  }
}

/** One window of two of the same group, exact (the core merges); held only if both were. */
export function mergeEntries(core: Core, a: OutboxEntry, b: OutboxEntry): OutboxEntry {
  const pa = core.profileFromBytes(a.bytes);
  const pb = core.profileFromBytes(b.bytes);
  try {
    return mergeProfiles(pa, pb, a, b);
  } finally {
    pa.dispose();
    pb.dispose();
  }
}

function mergeProfiles(pa: Profile, pb: Profile, a: OutboxEntry, b: OutboxEntry): OutboxEntry {
  const ma = pa.meta;
  const mb = pb.meta;
  pa.merge(pb);
  const uploadId = crypto.randomUUID();
  const windowStart = Math.min(a.windowStart, b.windowStart);
  const windowEnd = Math.max(a.windowEnd, b.windowEnd);
  pa.meta = mergedHeader(ma, mb, { windowStart, windowEnd, uploadId });
  const merged: OutboxEntry = { uploadId, group: a.group, windowStart, windowEnd, bytes: pa.toBytes(), attempts: 0, notBefore: 0 };
  if (a.events !== undefined && b.events !== undefined) merged.events = a.events + b.events;
  if (a.held && b.held) merged.held = true;
  return merged;
}
