// Every value must land in the bucket (2^(i·2^-s), 2^((i+1)·2^-s)] that contains it, decided here
// with exact integer arithmetic (BigInt) — including values right at, or one ulp off, a boundary.
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { rng } from '../helpers/random.ts';

const core = await loadCore();

function decompose(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const exp = Number(bits >> 52n);
  const mant = bits & ((1n << 52n) - 1n);
  return exp === 0 ? { m: mant, e: -1074 } : { m: mant | (1n << 52n), e: exp - 1075 };
}

/** Is |x| in (2^(i·2^-s), 2^((i+1)·2^-s)]? Exact. */
function inBucket(x: number, i: number, s: number): boolean {
  const { m, e } = decompose(x);
  // Compare |x|^K with 2^j where K = 2^s for s >= 0; for s < 0 compare |x| with 2^(j·2^-s).
  const cmp = (j: number): number => {
    if (s >= 0) {
      const k = 1n << BigInt(s);
      const t = BigInt(j) - BigInt(e) * k; // compare m^k with 2^t
      const lhs = m ** k;
      const [a, b] = t >= 0n ? [lhs, 1n << t] : [lhs << -t, 1n];
      return a < b ? -1 : a > b ? 1 : 0;
    }
    const t = BigInt(j) * (1n << BigInt(-s)) - BigInt(e); // compare m with 2^t
    const [a, b] = t >= 0n ? [m, 1n << t] : [m << -t, 1n];
    return a < b ? -1 : a > b ? 1 : 0;
  };
  return cmp(i) > 0 && cmp(i + 1) <= 0;
}

function bucketOf(x: number, scale: number): { index: number; scale: number } {
  const h = core.histogram({ scale, maxBuckets: 16 });
  h.add(x);
  const s = h.summary();
  h.dispose();
  const run = x > 0 ? s.positive! : s.negative!;
  expect(run.counts).toEqual([1]);
  return { index: run.offset, scale: s.scale! };
}

function step(x: number, dir: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(dir));
  return view.getFloat64(0);
}

const SCALES = [-10, -4, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8];

describe('bucket index', () => {
  test.each(SCALES)('values at and next to every boundary land right at scale %i', (scale) => {
    const values: number[] = [];
    const per = 2 ** Math.max(scale, 0);
    // Boundaries 2^(k/2^s) over a few octaves around 1, far up and far down.
    for (const base of [-1070, -1022, -3, 0, 1, 7, 1000]) {
      for (let k = 0; k <= per; k += Math.max(1, per >> 4)) {
        const b = 2 ** (base + k / per);
        if (!Number.isFinite(b) || b === 0) continue;
        values.push(b, step(b, 1), step(b, -1));
      }
    }
    for (const x of values) {
      if (!(x > 0) || !Number.isFinite(x)) continue;
      for (const sign of [1, -1]) {
        const { index, scale: got } = bucketOf(sign * x, scale);
        expect(got).toBe(scale);
        expect(inBucket(x, index, scale), `${sign * x} in bucket ${index} at scale ${scale}`).toBe(true);
      }
    }
  });

  test.each(SCALES)('random doubles across the whole range land right at scale %i', (scale) => {
    const r = rng(1000 + scale);
    const view = new DataView(new ArrayBuffer(8));
    for (let n = 0; n < 200; n++) {
      view.setUint32(0, Math.floor(r() * 0x7ff00000));
      view.setUint32(4, Math.floor(r() * 2 ** 32));
      const x = view.getFloat64(0);
      if (x === 0) continue;
      const { index } = bucketOf(x, scale);
      expect(inBucket(x, index, scale), `${x} in bucket ${index} at scale ${scale}`).toBe(true);
    }
  });

  test('subnormals, the smallest normal and the largest finite double', () => {
    const special = [
      Number.MIN_VALUE,
      2 * Number.MIN_VALUE,
      3e-320,
      step(2.2250738585072014e-308, -1),
      2.2250738585072014e-308,
      Number.MAX_VALUE,
    ];
    for (const scale of SCALES) {
      for (const x of special) {
        const { index } = bucketOf(x, scale);
        expect(inBucket(x, index, scale), `${x} at scale ${scale}`).toBe(true);
        expect(inBucket(x, bucketOf(-x, scale).index, scale)).toBe(true);
      }
    }
  });

  test('±0 count as zeros, not in any bucket', () => {
    const h = core.histogram();
    h.addMany([0, -0, 0]);
    const s = h.summary();
    expect(s.zeroCount).toBe(3);
    expect(s.positive!.counts).toEqual([]);
    expect(s.negative!.counts).toEqual([]);
    expect(h.quantile(0.5)).toBe(0);
    h.dispose();
  });

  test('downscaling keeps values in buckets that contain them', () => {
    const h = core.histogram({ scale: 8, maxBuckets: 20 });
    const xs = [1e-300, 1, 3, 1e300, Number.MAX_VALUE, Number.MIN_VALUE];
    h.addMany(xs);
    const s = h.summary();
    const run = s.positive!;
    expect(run.counts.length).toBeLessThanOrEqual(20);
    expect(run.counts.reduce((a, b) => a + b, 0)).toBe(xs.length);
    // Each value's bucket at the final scale holds at least that value.
    for (const x of xs) {
      const k = run.counts.findIndex((_, j) => inBucket(x, run.offset + j, s.scale!));
      expect(k, `${x}`).toBeGreaterThanOrEqual(0);
      expect(run.counts[k]).toBeGreaterThan(0);
    }
    h.dispose();
  });
});
