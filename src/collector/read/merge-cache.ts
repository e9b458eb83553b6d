// Raw uploads folded once, on a merge thread (merge-worker.ts). Every alert round, scrape and
// dashboard read of a rolling window merges the raw uploads of its open hours again; under a
// flood that is thousands of wide uploads per round, so rounds grew with the flood and fell
// behind it. A merge thread therefore keeps, per scope (one model version and segment filter)
// and five minutes of window start, the merged groups of the raw uploads it folded ("a bucket"); the
// next aggregate over that scope reuses each bucket whose uploads it still asks for, and folds
// only the uploads new to it.
//
// Exactness: raw uploads never change once stored (a row's payload is written once), so a bucket
// holding uploads the request asks for is their exact merge. A bucket is reused only when every
// upload in it is still asked for — an upload since rolled into a whole hour of the range,
// quarantined or pruned makes the bucket be folded again from what is asked — and extended on a
// copy, so two aggregates in flight never see each other's pieces. Only raw uploads are kept:
// rollup rows are rewritten as late uploads fold in. Entries are dropped least recently used
// past a byte budget, and after ten minutes unused.
import type { loadCore } from 'edgewatch';

type Core = Awaited<ReturnType<typeof loadCore>>;
type Profile = ReturnType<Core['profileFromBytes']>;

/** A bucket: merged groups of raw uploads (named by `${table}:${id}`), in first-fit order. */
export interface Bucket {
  groups: { sketch: Profile; members: string[] }[];
  keys: Set<string>;
  /** The memory it holds, estimated (see footprint()). */
  bytes: number;
  users: number;
  lastUsed: number;
  cached: boolean;
}

/**
 * Memory kept per merge thread: the raw hours of about five versions of 1,024 columns, or
 * hundreds of narrow ones. Buckets of five minutes keep that to 24 per scope and hour of raw
 * uploads; a bucket cut by a range's edge is folded again, at most five minutes of uploads.
 */
const BUDGET = 256 * 2 ** 20;
const IDLE_MS = 10 * 60_000;
export const BUCKET_MS = 5 * 60_000;
/**
 * A decoded column's memory, about the same for any row count (its sketches' arrays are sized
 * up front): a 1,024-column upload of 250 kB measured 3.7 MB decoded.
 */
const COLUMN_BYTES = 4096;

/** The memory a bucket's sketches hold, estimated from their columns. */
export function footprint(b: Bucket): number {
  return b.groups.reduce((sum, g) => sum + g.sketch.columns.length * COLUMN_BYTES, 0);
}

export class BucketCache {
  #buckets = new Map<string, Bucket>();
  #bytes = 0;

  constructor(private readonly budget = BUDGET) {}

  /** The bucket kept under `key`, held for the caller until release(). */
  take(key: string, now: number): Bucket | undefined {
    this.#expire(now);
    const b = this.#buckets.get(key);
    if (!b) return undefined;
    this.#buckets.delete(key); // back to the end of the least-recently-used order
    this.#buckets.set(key, b);
    b.lastUsed = now;
    b.users++;
    return b;
  }

  /** Keeps `b` under `key` in place of what was there. */
  put(key: string, b: Bucket, now: number): void {
    const old = this.#buckets.get(key);
    if (old === b) return;
    if (old) this.#drop(key, old);
    b.cached = true;
    b.lastUsed = now;
    this.#buckets.set(key, b);
    this.#bytes += b.bytes;
    for (const [k, x] of this.#buckets) {
      if (this.#bytes <= this.budget) break;
      this.#drop(k, x);
    }
  }

  release(b: Bucket): void {
    b.users--;
    if (!b.cached && b.users <= 0) disposeBucket(b);
  }

  get size(): number {
    return this.#buckets.size;
  }

  #expire(now: number): void {
    for (const [k, b] of this.#buckets) {
      if (b.lastUsed > now - IDLE_MS) break;
      this.#drop(k, b);
    }
  }

  #drop(key: string, b: Bucket): void {
    this.#buckets.delete(key);
    this.#bytes -= b.bytes;
    b.cached = false;
    if (b.users <= 0) disposeBucket(b);
  }
}

export function emptyBucket(): Bucket {
  return { groups: [], keys: new Set(), bytes: 0, users: 0, lastUsed: 0, cached: false };
}

/** A copy of `b` to extend, so what others hold of `b` stays as it is. */
export function copyBucket(core: Core, b: Bucket): Bucket {
  return {
    ...emptyBucket(),
    groups: b.groups.map((g) => ({ sketch: core.profileFromBytes(g.sketch.toBytes()), members: [...g.members] })),
    keys: new Set(b.keys),
    bytes: b.bytes,
  };
}

export function disposeBucket(b: Bucket): void {
  for (const g of b.groups) g.sketch.dispose();
  b.groups = [];
}
