// The contenders, each behind one small interface so the benchmark treats them alike: build on
// an array of values, serialize, read quantiles, merge.
import { createRequire } from 'node:module';
import type { Core, Histogram } from '../../src/core/index.ts';

export interface Contender<S = unknown> {
  name: string;
  /** What `bytes` measures. */
  serialized: string;
  /** Builds a sketch of all values: this is what the throughput column times. */
  build(values: Float64Array): S;
  bytes(s: S): number;
  quantile(s: S, q: number): number;
  count(s: S): number;
  /** Values the sketch's buckets (centroids, bins) actually hold, to set against `count`. */
  held(s: S): number;
  /** Folds b into a; returns a. */
  merge(a: S, b: S): S;
  /** Whether two sketches are the same, state for state (undefined: no exact notion). */
  identical?(a: S, b: S): boolean;
  /** A line about a merged sketch against the sketch of the whole, if there is more to say. */
  mergeNote?(merged: S, whole: S, halves: [S, S]): string | undefined;
  dispose?(s: S): void;
}

/** The core's numeric histogram; `maxBuckets` undefined means the default budget (320 per sign). */
export function edgewatch(core: Core, maxBuckets?: number): Contender<Histogram> {
  const options = maxBuckets === undefined ? {} : { maxBuckets };
  return {
    name: maxBuckets === undefined ? 'edgewatch addMany' : `edgewatch addMany, maxBuckets ${maxBuckets}`,
    serialized: 'histogram.toBytes(): the whole versioned profile encoding (header, column name, counters, moments, buckets)',
    build(values) {
      return core.histogram(options).addMany(values);
    },
    bytes: (h) => h.toBytes().length,
    quantile: (h, q) => h.quantile(q),
    count: (h) => h.count,
    held(h) {
      const s = h.summary();
      const sum = (run?: { counts: number[] }) => (run ? run.counts.reduce((a, b) => a + b, 0) : 0);
      return sum(s.positive) + sum(s.negative) + (s.zeroCount ?? 0);
    },
    merge: (a, b) => a.merge(b),
    identical: (a, b) => Buffer.from(a.toBytes()).equals(Buffer.from(b.toBytes())),
    mergeNote(merged, whole) {
      const m = merged.summary();
      const w = whole.summary();
      let note = `scale ${m.scale} after merge (whole: ${w.scale}), relative error bound ${pctBound(m.relativeError)}`;
      // Where the bytes differ, say which summary fields do and by how much.
      const differing = (Object.keys(w) as (keyof typeof w)[])
        .filter((k) => JSON.stringify(w[k]) !== JSON.stringify(m[k]))
        .map((k) => {
          const [a, b] = [w[k], m[k]];
          return typeof a === 'number' && typeof b === 'number'
            ? `${k} (rel. diff ${(Math.abs(a - b) / Math.abs(a)).toExponential(1)})`
            : k;
        });
      if (differing.length > 0) note += `; fields that differ from the whole's: ${differing.join(', ')}`;
      return note;
    },
    dispose: (h) => h.dispose(),
  };
}

// @datadog/sketches-js 2.1.1 (CommonJS). Only the members used here are typed.
interface DDStore {
  count: number;
}
interface DDSketchLike {
  count: number;
  zeroCount: number;
  store: DDStore;
  negativeStore: DDStore;
  accept(value: number): void;
  getValueAtQuantile(q: number): number;
  merge(other: DDSketchLike): void;
  toProto(): Uint8Array;
}

const require = createRequire(import.meta.url);
const { DDSketch } = require('@datadog/sketches-js') as { DDSketch: new (o: { relativeAccuracy: number }) => DDSketchLike };

export function ddsketch(relativeAccuracy = 0.01): Contender<DDSketchLike> {
  return {
    name: `DDSketch accept (α=${relativeAccuracy})`,
    serialized: 'toProto(): the protobuf message',
    build(values) {
      const s = new DDSketch({ relativeAccuracy });
      for (let i = 0; i < values.length; i++) s.accept(values[i]);
      return s;
    },
    bytes: (s) => s.toProto().length,
    quantile: (s, q) => s.getValueAtQuantile(q),
    count: (s) => s.count,
    held: (s) => s.store.count + s.negativeStore.count + s.zeroCount,
    merge(a, b) {
      a.merge(b);
      return a;
    },
    mergeNote(merged, whole, [, b]) {
      const q = (s: DDSketchLike) => s.getValueAtQuantile(0.01).toPrecision(4);
      return (
        `negative store after merge holds ${merged.negativeStore.count} values, ` +
        `the whole's holds ${whole.negativeStore.count}; the second half had ${b.negativeStore.count}; ` +
        `q=0.01: whole ${q(whole)}, merged ${q(merged)}`
      );
    },
  };
}

// tdigest 0.1.3 (CommonJS): a red-black tree of centroids.
interface Centroid {
  mean: number;
  n: number;
}
interface TDigestLike {
  n: number;
  push(x: number): void;
  push_centroid(c: Centroid[]): void;
  percentile(p: number): number;
  toArray(): Centroid[];
  size(): number;
}
const { TDigest } = require('tdigest') as { TDigest: new () => TDigestLike };

export function tdigest(): Contender<TDigestLike> {
  return {
    name: 'tdigest push',
    serialized: 'centroids as a Float64Array of (mean, n) pairs, 16 B each',
    build(values) {
      const d = new TDigest();
      for (let i = 0; i < values.length; i++) d.push(values[i]);
      return d;
    },
    bytes: (d) => d.size() * 16,
    quantile: (d, q) => d.percentile(q),
    count: (d) => d.n,
    held: (d) => d.toArray().reduce((a, c) => a + c.n, 0),
    // The package has no merge: its own way is to push the other digest's centroids.
    merge(a, b) {
      a.push_centroid(b.toArray());
      return a;
    },
    mergeNote(merged, whole) {
      return `${merged.size()} centroids after merge (whole: ${whole.size()}); JSON of toArray(): ${JSON.stringify(whole.toArray()).length} B for the whole`;
    },
  };
}

/** A fixed-bin histogram: what a hand-written loop does when the range is known in advance. */
export interface FixedBins {
  lo: number;
  hi: number;
  counts: Int32Array;
}

/** Linear bins over [lo, hi]; values outside fall into the end bins. */
export function fixedBinLoop(lo: number, hi: number, bins = 100): Contender<FixedBins> {
  const width = (hi - lo) / bins;
  return {
    name: `plain loop, ${bins} bins`,
    serialized: `the Int32Array of ${bins} counts plus lo and hi as two float64`,
    build(values) {
      const counts = new Int32Array(bins);
      const perUnit = bins / (hi - lo);
      const last = bins - 1;
      for (let i = 0; i < values.length; i++) {
        let k = ((values[i] - lo) * perUnit) | 0;
        if (k < 0) k = 0;
        else if (k > last) k = last;
        counts[k]++;
      }
      return { lo, hi, counts };
    },
    bytes: (s) => s.counts.byteLength + 16,
    // The midpoint of the bin holding rank floor(q·(n−1)).
    quantile(s, q) {
      const n = s.counts.reduce((a, b) => a + b, 0);
      const rank = Math.floor(q * (n - 1));
      let seen = 0;
      for (let k = 0; k < s.counts.length; k++) {
        seen += s.counts[k];
        if (seen > rank) return lo + (k + 0.5) * width;
      }
      return NaN;
    },
    count: (s) => s.counts.reduce((a, b) => a + b, 0),
    held: (s) => s.counts.reduce((a, b) => a + b, 0),
    merge(a, b) {
      for (let k = 0; k < a.counts.length; k++) a.counts[k] += b.counts[k];
      return a;
    },
    identical: (a, b) => a.counts.every((c, k) => c === b.counts[k]),
  };
}

function pctBound(x: number | undefined): string {
  return x === undefined ? '?' : `${(x * 100).toFixed(2)}%`;
}
