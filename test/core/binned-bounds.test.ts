// PSI, Jensen–Shannon and Hellinger come with a computed bound: the mass of the cells holding the
// decile cuts, which the sketch cannot place on either side of them. The exact statistics of the
// raw data must lie within it at every sample size, small sketched samples included, and a
// verdict whose statistic's bound reaches across its threshold says so.
import { describe, expect, test } from 'vitest';
import { loadCore, type NumericDrift } from '../../src/core/index.ts';
import * as exact from '../helpers/exact.ts';
import { normals, rng } from '../helpers/random.ts';
import { numbers, vegaJson } from '../helpers/vega.ts';

const core = await loadCore();

function drift(b: Float64Array, c: Float64Array): NumericDrift {
  const pb = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
  const pc = core.profile(pb.schema());
  pb.recordNumbers('x', b);
  pc.recordNumbers('x', c);
  const d = core.compare(pb, pc).columns.x as NumericDrift;
  pb.dispose();
  pc.dispose();
  return d;
}

function expectWithinBounds(b: Float64Array, c: Float64Array): NumericDrift {
  const d = drift(b, c);
  const sb = exact.sorted(b);
  const pb = exact.decileBins(sb, sb);
  const pc = exact.decileBins(sb, exact.sorted(c));
  const truth = { psi: exact.psi(pb, pc), js: exact.jsDistance(pb, pc), hellinger: exact.hellinger(pb, pc) };
  for (const k of ['psi', 'js', 'hellinger'] as const) {
    const bound = d[`${k}_bound`];
    expect(Number.isFinite(bound), `${k} bound ${bound}`).toBe(true);
    expect(Math.abs(d[k] - truth[k]), `${k} ${d[k]} vs exact ${truth[k]} ± ${bound}`).toBeLessThanOrEqual(bound + 1e-12);
  }
  return d;
}

/** Normal values with a point mass: `share` of them replaced by `at`. */
function withPointMass(n: number, seed: number, at: number, share: number): Float64Array {
  const xs = normals(n, seed);
  const r = rng(seed + 100);
  for (let i = 0; i < n; i++) if (r() < share) xs[i] = at;
  return xs;
}

describe('binned statistics within their computed bound', () => {
  test.each([150, 300, 600, 1000, 5000, 50_000])('normal, n = %d a side: same distribution and a shift', (n) => {
    expectWithinBounds(normals(n, 1), normals(n, 2));
    expectWithinBounds(normals(n, 3), normals(n, 4, 0.4, 1.2));
  });

  test('point masses that share a bucket with continuous values', () => {
    for (const [n, share] of [
      [400, 0.3],
      [5000, 0.1],
    ]) {
      expectWithinBounds(withPointMass(n, 5, 0.51, share), withPointMass(n, 6, 0.51, share / 2));
      expectWithinBounds(withPointMass(n, 7, 0, share), normals(n, 8));
    }
  });

  test('real columns, small and large: cars (406 rows) and flights (20k rows)', () => {
    const r = rng(9);
    for (const [rows, key] of [
      [vegaJson<Record<string, unknown>>('cars.json'), 'Weight_in_lbs'],
      [vegaJson<Record<string, unknown>>('cars.json'), 'Displacement'],
      [vegaJson<Record<string, unknown>>('flights-20k.json'), 'delay'],
      [vegaJson<Record<string, unknown>>('flights-20k.json'), 'distance'],
    ] as const) {
      const xs = numbers(rows, key);
      const a: number[] = [];
      const b: number[] = [];
      for (const x of xs) (r() < 0.5 ? a : b).push(x);
      expectWithinBounds(Float64Array.from(a), Float64Array.from(b));
      const h = Math.floor(xs.length / 2);
      expectWithinBounds(xs.subarray(0, h), xs.subarray(h));
    }
  });

  test('exact values give exact statistics and zero bounds', () => {
    const b = Float64Array.from({ length: 500 }, (_, i) => i % 7);
    const c = Float64Array.from({ length: 400 }, (_, i) => (i % 9) % 7);
    const d = expectWithinBounds(b, c);
    expect([d.psi_bound, d.js_bound, d.hellinger_bound]).toEqual([0, 0, 0]);
    expect(d.drifted.uncertain).toBe(false);
  });

  test('more data narrows the bound', () => {
    const small = drift(normals(300, 10), normals(300, 11));
    const large = drift(normals(100_000, 10), normals(100_000, 11));
    expect(large.psi_bound).toBeLessThan(small.psi_bound);
    expect(large.hellinger_bound).toBeLessThan(small.hellinger_bound);
  });
});

describe('the verdict says when the bound reaches across its threshold', () => {
  test('a point mass inside a bucket: the KS p-value the raw data can have reaches below 0.05', () => {
    // 400 values a side, 5% of the baseline on 0.51 among continuous values of its bucket: the
    // sketch cannot tell where in the bucket that mass sits, so the exact D may exceed the D read
    // at known points by up to ks.bound, and p at D + bound is below the threshold.
    const b = withPointMass(400, 12, 0.51, 0.05);
    const c = normals(400, 13);
    const d = drift(b, c);
    expect(d.drifted.test).toBe('ks.pvalue');
    expect(d.drifted.drifted).toBe(false);
    expect(exact.kolmogorovSf(Math.sqrt(200) * (d.ks.statistic + d.ks.bound))).toBeLessThan(0.05);
    expect(d.drifted.uncertain).toBe(true);
  });

  test('a clear shift and no shift on large samples are certain', () => {
    expect(drift(normals(20_000, 14), normals(20_000, 15, 1)).drifted).toMatchObject({ drifted: true, uncertain: false });
    expect(drift(normals(20_000, 16), normals(20_000, 17)).drifted).toMatchObject({ drifted: false, uncertain: false });
  });
});
