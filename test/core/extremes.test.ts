// Moments and drift statistics at the ends of the double range: values near 1e300 and 1.7e308,
// subnormals, and constant baselines. The exact truth is computed on the data divided by a power
// of two (exact in binary), where plain double arithmetic neither overflows nor underflows.
import { describe, expect, test } from 'vitest';
import { loadCore, type NumericDrift, type NumericSummary } from '../../src/core/index.ts';
import * as exact from '../helpers/exact.ts';
import { rng } from '../helpers/random.ts';

const core = await loadCore();

function uniform(n: number, seed: number, lo: number, hi: number, unit: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => (lo + (hi - lo) * r()) * unit);
}

function drift(b: Float64Array, c: Float64Array): { d: NumericDrift; sb: NumericSummary } {
  const pb = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
  const pc = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
  pb.recordNumbers('x', b);
  pc.recordNumbers('x', c);
  const d = core.compare(pb, pc).columns.x as NumericDrift;
  const sb = pb.summary('x') as NumericSummary;
  pb.dispose();
  pc.dispose();
  return { d, sb };
}

/** Exact mean, std and W1/std of the baseline, computed on xs / unit. */
function truth(b: Float64Array, c: Float64Array, unit: number) {
  const bu = b.map((x) => x / unit);
  const cu = c.map((x) => x / unit);
  const std = Math.sqrt(exact.variance(bu));
  return {
    mean: [exact.mean(bu) * unit, exact.mean(cu) * unit],
    std: std * unit,
    wNorm: exact.wasserstein(exact.sorted(bu), exact.sorted(cu)) / std,
  };
}

const units: [string, number][] = [
  ['1e300', 1e300],
  ['2^1020 (next to the largest double)', 2 ** 1020],
  ['2^-1060 (subnormal)', 2 ** -1060],
  ['1 (ordinary)', 1],
];

describe('finite moments and statistics for every finite double', () => {
  test.each(units)('unit %s: U(1,2) against U(3,4) drifts, a random split does not', (_, unit) => {
    const b = uniform(4000, 1, 1, 2, unit);
    const shifted = uniform(4000, 2, 3, 4, unit);
    const control = uniform(4000, 3, 1, 2, unit);
    for (const [c, drifts] of [
      [shifted, true],
      [control, false],
    ] as const) {
      const { d, sb } = drift(b, c);
      const t = truth(b, c, unit);
      expect(exact.near(d.mean[0], t.mean[0], 0, 1e-9), `mean ${d.mean[0]} vs ${t.mean[0]}`).toBe(true);
      expect(exact.near(d.mean[1], t.mean[1], 0, 1e-9), `mean ${d.mean[1]} vs ${t.mean[1]}`).toBe(true);
      // Below 2^-1022 the data itself has only the digits a subnormal keeps.
      const rel = unit < 2 ** -1022 ? 1e-3 : 1e-9;
      expect(exact.near(sb.std, t.std, 0, rel), `std ${sb.std} vs ${t.std}`).toBe(true);
      expect(Number.isFinite(d.drifted.value)).toBe(true);
      expect(exact.near(d.drifted.value, t.wNorm, 0.02, 0.05), `W1/std ${d.drifted.value} vs ${t.wNorm}`).toBe(true);
      expect(d.drifted.drifted).toBe(drifts);
    }
  });

  test('values of both signs up to ±1.7e308: finite mean, W1 and KS', () => {
    const b = uniform(4000, 4, -1, 1, 1.7e308);
    const c = uniform(4000, 5, -1, 1, 1.7e308);
    const { d } = drift(b, c);
    const t = truth(b, c, 2 ** 1000);
    expect(exact.near(d.mean[0], t.mean[0], 1e-9 * 1.7e308)).toBe(true);
    expect(exact.near(d.mean[1], t.mean[1], 1e-9 * 1.7e308)).toBe(true);
    expect(Number.isFinite(d.wasserstein)).toBe(true);
    expect(d.ks.statistic).toBeLessThanOrEqual(1);
    expect(exact.near(d.drifted.value, t.wNorm, 0.02, 0.05)).toBe(true);
    expect(d.drifted.drifted).toBe(false);
  });

  test('the spread merges across batches and profiles without overflow', () => {
    const a = uniform(3000, 6, -1, 1, 1.7e308);
    const b = uniform(3000, 7, 1, 2, 2 ** -1060);
    const p = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
    p.recordNumbers('x', a);
    p.recordNumbers('x', b);
    const s = p.summary('x') as NumericSummary;
    const all = Float64Array.from([...a, ...b]);
    const t = truth(all, all, 2 ** 1000);
    expect(Number.isFinite(s.mean)).toBe(true);
    expect(exact.near(s.mean, t.mean[0], 1e-9 * 1.7e308)).toBe(true);
    p.dispose();
  });
});

describe('constant baselines', () => {
  const five = new Float64Array(2000).fill(5);
  test('the same constant: W1/std is 0, no drift', () => {
    const { d } = drift(five, new Float64Array(1500).fill(5));
    expect(d.drifted.value).toBe(0);
    expect(d.drifted.drifted).toBe(false);
  });

  test('another value: W1 is divided by the spread of both samples pooled', () => {
    const c = Float64Array.from({ length: 2000 }, (_, i) => (i < 1900 ? 5 : 6));
    const { d } = drift(five, c);
    const pooled = Math.sqrt(exact.variance([...five, ...c]));
    expect(d.wasserstein).toBeCloseTo(exact.wasserstein(five, exact.sorted(c)), 12);
    expect(d.drifted.value).toBeCloseTo(d.wasserstein / pooled, 12);
    expect(d.drifted.drifted).toBe(true);
  });

  test('a single baseline value: finite', () => {
    const { d } = drift(Float64Array.of(5), Float64Array.of(5, 6, 7));
    expect(Number.isFinite(d.drifted.value)).toBe(true);
  });
});
