// Numeric columns with few distinct values keep them exactly (up to 128): quantiles and every
// drift statistic then equal the exact computation on the raw data, ties and point masses
// included. Past the capacity the column is its histogram; merge stays exact and commutative.
import { describe, expect, test } from 'vitest';
import { loadCore, type NumericDrift, type NumericSummary, type Profile } from '../../src/core/index.ts';
import * as exact from '../helpers/exact.ts';
import { rng } from '../helpers/random.ts';
import { vegaJson } from '../helpers/vega.ts';

const core = await loadCore();

function profileOf(xs: ArrayLike<number>): Profile {
  const p = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
  p.recordNumbers('x', Float64Array.from(xs));
  return p;
}

function compare(b: ArrayLike<number>, c: ArrayLike<number>): NumericDrift {
  const pb = profileOf(b);
  const pc = profileOf(c);
  expect((pb.summary('x') as NumericSummary).exact, 'baseline kept exact').toBeDefined();
  expect((pc.summary('x') as NumericSummary).exact, 'current kept exact').toBeDefined();
  const d = core.compare(pb, pc).columns.x as NumericDrift;
  pb.dispose();
  pc.dispose();
  return d;
}

/** Every statistic equals the exact one (to rounding). */
function checkExact(b: ArrayLike<number>, c: ArrayLike<number>): NumericDrift {
  const d = compare(b, c);
  const sb = exact.sorted(b);
  const sc = exact.sorted(c);
  const close = (got: number, want: number, what: string) =>
    expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
  for (const q of ['0.5', '0.9', '0.99'] as const) {
    expect(d.quantiles[q]).toEqual([exact.quantile(sb, Number(q)), exact.quantile(sc, Number(q))]);
  }
  close(d.ks.statistic, exact.ksStatistic(sb, sc), 'KS');
  const ne = (sb.length * sc.length) / (sb.length + sc.length);
  close(d.ks.pvalue, exact.kolmogorovSf(Math.sqrt(ne) * exact.ksStatistic(sb, sc)), 'KS p');
  close(d.wasserstein, exact.wasserstein(sb, sc), 'W1');
  expect(d.ks.bound).toBe(0);
  expect(d.wasserstein_bound).toBe(0);
  const pb = exact.decileBins(sb, sb);
  const pc = exact.decileBins(sb, sc);
  close(d.psi, exact.psi(pb, pc), 'PSI');
  close(d.js, exact.jsDistance(pb, pc), 'JS');
  close(d.hellinger, exact.hellinger(pb, pc), 'Hellinger');
  return d;
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const r = rng(seed);
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('constructed ties and point masses', () => {
  test('500 × 5.0 against 495 × 5.0 + 5 × 6.0: D = 0.01, no drift', () => {
    const b = new Array(500).fill(5);
    const c = [...new Array(495).fill(5), ...new Array(5).fill(6)];
    const d = checkExact(b, c);
    expect(d.ks.statistic).toBeCloseTo(0.01, 12);
    expect(d.drifted.drifted).toBe(false);
  });

  test('years 2005–2010 against 95% 2010: D = 0.78, drift', () => {
    const r = rng(3);
    const b = Array.from({ length: 600 }, () => 2005 + Math.floor(r() * 6));
    const c = Array.from({ length: 600 }, () => (r() < 0.95 ? 2010 : 2005 + Math.floor(r() * 5)));
    const d = checkExact(b, c);
    expect(d.ks.statistic).toBeGreaterThan(0.7);
    expect(d.drifted.drifted).toBe(true);
  });

  test('ratings 1–5, large samples: exact, W1 verdict', () => {
    const r = rng(4);
    const rating = (skew: number) => Math.min(5, 1 + Math.floor(r() ** skew * 5));
    checkExact(
      Array.from({ length: 20_000 }, () => rating(1)),
      Array.from({ length: 30_000 }, () => rating(1.3)),
    );
  });

  test('negative values, zero and −0 are one set of point masses', () => {
    checkExact([-3, -3, 0, -0, 2.5, 2.5, 2.5, 7], [-3, 0, 0, 2.5, 7, 7, 9]);
  });
});

describe('real columns with few distinct values (vega-datasets), each with a random-split control', () => {
  type Row = Record<string, number | string | null>;
  const cases: [string, Row[], string, (r: Row) => boolean][] = [
    ['cars Cylinders: USA vs Europe', vegaJson<Row>('cars.json'), 'Cylinders', (r) => r.Origin === 'USA'],
    [
      'cars Horsepower: USA vs Japan',
      vegaJson<Row>('cars.json').filter((r) => r.Origin !== 'Europe'),
      'Horsepower',
      (r) => r.Origin === 'USA',
    ],
    [
      'penguins flipper length: Adelie vs Gentoo',
      vegaJson<Row>('penguins.json').filter((r) => r.Species !== 'Chinstrap'),
      'Flipper Length (mm)',
      (r) => r.Species === 'Adelie',
    ],
    [
      'penguins body mass: Adelie vs Gentoo',
      vegaJson<Row>('penguins.json').filter((r) => r.Species !== 'Chinstrap'),
      'Body Mass (g)',
      (r) => r.Species === 'Adelie',
    ],
  ];
  const values = (rows: Row[], key: string) => rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number');

  test.each(cases)('%s', (_, rows, key, isBaseline) => {
    const shift = checkExact(
      values(rows.filter(isBaseline), key),
      values(
        rows.filter((r) => !isBaseline(r)),
        key,
      ),
    );
    expect(shift.drifted.drifted).toBe(true);
    const all = shuffled(values(rows, key), 7);
    const half = Math.floor(all.length / 2);
    const control = checkExact(all.slice(0, half), all.slice(half));
    expect(control.drifted.drifted).toBe(false);
  });
});

describe('capacity, merge and codec', () => {
  const ints = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

  test('128 distinct values stay exact, the 129th makes a sketch', () => {
    const p = profileOf(ints(0, 128));
    expect((p.summary('x') as NumericSummary).exact).toHaveLength(128);
    p.recordNumbers('x', Float64Array.of(5, 6, 1000));
    expect((p.summary('x') as NumericSummary).exact).toBeUndefined();
    p.dispose();
  });

  test('merge is exact and commutative, and overflows only on the union', () => {
    const a = [...ints(0, 70), 3, 3, 3];
    const b = ints(50, 70); // union 0..119: still exact
    const c = ints(200, 20); // union with a and b: 140 values, a sketch
    const whole = profileOf(a);
    whole.recordNumbers('x', Float64Array.from(b));
    const ab = profileOf(a).merge(profileOf(b));
    const ba = profileOf(b).merge(profileOf(a));
    expect(ab.toBytes()).toEqual(whole.toBytes());
    expect(ba.toBytes()).toEqual(whole.toBytes());
    const exactOf = (p: Profile) => (p.summary('x') as NumericSummary).exact!;
    expect(exactOf(ab).find((e) => e.value === 3)!.count).toBe(4);
    expect(exactOf(ab).reduce((s, e) => s + e.count, 0)).toBe(a.length + b.length);
    const left = profileOf(a).merge(profileOf(b)).merge(profileOf(c));
    const right = profileOf(a).merge(profileOf(b).merge(profileOf(c)));
    const recorded = profileOf([...a, ...b, ...c]);
    expect((left.summary('x') as NumericSummary).exact).toBeUndefined();
    expect(stripSpread(left)).toEqual(stripSpread(recorded));
    expect(stripSpread(right)).toEqual(stripSpread(recorded));
  });

  test('the codec carries exact values: equal sets, equal bytes; bad values are refused', () => {
    const p = profileOf([3, 1, 2, 2, -0, 0]);
    const bytes = p.toBytes();
    const q = core.profileFromBytes(bytes);
    expect(q.toBytes()).toEqual(bytes);
    expect(q.summary('x')).toEqual(p.summary('x'));
    expect((profileOf([0, 2, 0, 1, 2, 3]).summary('x') as NumericSummary).exact).toEqual((p.summary('x') as NumericSummary).exact);
    // The values are the last 4 × (8 + 1) bytes, ascending: 0, 1, 2, 3. Make 1 into 2.
    const dup = bytes.slice();
    const view = new DataView(dup.buffer);
    view.setFloat64(dup.length - 27, 2, true);
    expect(() => core.profileFromBytes(dup)).toThrow(/ascending and distinct/);
    const zero = bytes.slice();
    zero[zero.length - 1] = 0;
    expect(() => core.profileFromBytes(zero)).toThrow(/positive count|do not add up/);
  });
});

/** A profile's summary without the float moments, which differ in the last bits by merge order. */
function stripSpread(p: Profile) {
  const { sum, mean, variance, std, ...rest } = p.summary('x') as NumericSummary;
  void sum, mean, variance, std;
  return rest;
}
