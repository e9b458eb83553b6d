// Every statistic the core reports, against an exact computation on the raw data (generated and
// real). Tolerances are the contract: quantiles within the reached scale's relative-error bound;
// KS within 0.01; PSI/JS/Hellinger within 0.01 + 10%; counts, missing rates and means exact.
import { describe, expect, test } from 'vitest';
import { loadCore, type CategoricalDrift, type NumericDrift, type NumericSummary, type Profile } from '../../src/core/index.ts';
import * as exact from '../helpers/exact.ts';
import { normals, rng } from '../helpers/random.ts';
import { numbers, vegaCsv, vegaJson } from '../helpers/vega.ts';

const core = await loadCore();

function numericProfile(xs: Float64Array, name = 'x'): Profile {
  const p = core.profile({ columns: [{ name, kind: 'numeric' }] });
  p.recordNumbers(name, xs);
  return p;
}

/** Checks one numeric comparison against the exact values computed from the raw samples. */
function checkNumericDrift(b: Float64Array, c: Float64Array, d: NumericDrift, scaleBound: number): void {
  const sb = exact.sorted(b);
  const sc = exact.sorted(c);
  expect(d.count).toEqual([b.length, c.length]);
  expect(d.mean[0]).toBeCloseTo(exact.mean(b), 9);
  expect(d.mean[1]).toBeCloseTo(exact.mean(c), 9);
  for (const q of ['0.5', '0.9', '0.99'] as const) {
    const [qb, qc] = d.quantiles[q];
    const eb = exact.quantile(sb, Number(q));
    const ec = exact.quantile(sc, Number(q));
    expect(Math.abs(qb - eb), `baseline q${q}: ${qb} vs ${eb}`).toBeLessThanOrEqual(scaleBound * Math.abs(eb) + 1e-12);
    expect(Math.abs(qc - ec), `current q${q}: ${qc} vs ${ec}`).toBeLessThanOrEqual(scaleBound * Math.abs(ec) + 1e-12);
  }
  const ks = exact.ksStatistic(sb, sc);
  expect(Math.abs(d.ks.statistic - ks), `KS ${d.ks.statistic} vs ${ks}`).toBeLessThanOrEqual(0.01);
  // The documented bound: statistic <= exact D <= statistic + bound.
  expect(d.ks.statistic, `KS ${d.ks.statistic} above exact ${ks}`).toBeLessThanOrEqual(ks + 1e-12);
  expect(ks, `exact KS ${ks} above ${d.ks.statistic} + ${d.ks.bound}`).toBeLessThanOrEqual(d.ks.statistic + d.ks.bound + 1e-12);
  const ne = (b.length * c.length) / (b.length + c.length);
  expect(Math.abs(d.ks.pvalue - exact.kolmogorovSf(Math.sqrt(ne) * d.ks.statistic))).toBeLessThan(1e-6);
  const w = exact.wasserstein(sb, sc);
  expect(Math.abs(d.wasserstein - w), `W1 ${d.wasserstein} vs ${w} beyond ±${d.wasserstein_bound}`).toBeLessThanOrEqual(
    d.wasserstein_bound * (1 + 1e-9) + 1e-12,
  );
  expect(exact.near(d.wasserstein, w, 0.01 * exact.quantile(sb, 0.5) + 1e-9, 0.05), `W1 ${d.wasserstein} vs ${w}`).toBe(true);
  const pb = exact.decileBins(sb, sb);
  const pc = exact.decileBins(sb, sc);
  const psi = exact.psi(pb, pc);
  const js = exact.jsDistance(pb, pc);
  const hel = exact.hellinger(pb, pc);
  expect(exact.near(d.psi, psi, 0.01, 0.1), `PSI ${d.psi} vs ${psi}`).toBe(true);
  expect(exact.near(d.js, js, 0.01, 0.1), `JS ${d.js} vs ${js}`).toBe(true);
  expect(exact.near(d.hellinger, hel, 0.01, 0.1), `Hellinger ${d.hellinger} vs ${hel}`).toBe(true);
}

function compareNumbers(b: Float64Array, c: Float64Array): { drift: NumericDrift; bound: number } {
  const pb = numericProfile(b);
  const pc = numericProfile(c);
  const drift = core.compare(pb, pc).columns.x as NumericDrift;
  // Both are read at the coarser of the two scales reached.
  const bound = Math.max((pb.summary('x') as NumericSummary).relativeError ?? 0, (pc.summary('x') as NumericSummary).relativeError ?? 0);
  pb.dispose();
  pc.dispose();
  return { drift, bound };
}

/** xs with `n` copies of value v (and m of w) appended. */
function withMass(xs: Float64Array, v: number, n: number, w = 0, m = 0): Float64Array {
  return Float64Array.from([...xs, ...new Array(n).fill(v), ...new Array(m).fill(w)]);
}

function ints(n: number, seed: number, range: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => Math.floor(r() * range));
}

describe('numeric statistics on generated data', () => {
  const cases: [string, Float64Array, Float64Array][] = [
    ['same distribution', normals(20_000, 1), normals(30_000, 2)],
    ['mean shift 0.3', normals(20_000, 3), normals(20_000, 4, 0.3)],
    ['scale change ×1.5', normals(20_000, 5, 10, 1), normals(20_000, 6, 10, 1.5)],
    ['lognormal vs shifted lognormal', normals(10_000, 7).map(Math.exp), normals(10_000, 8, 0.5).map(Math.exp)],
    ['small samples', normals(300, 9), normals(200, 10, 0.5)],
    ['integers with ties', ints(5000, 11, 20), ints(5000, 12, 25)],
    ['three point masses', Float64Array.from({ length: 3000 }, (_, i) => 7 + (i % 3)), Float64Array.from({ length: 1000 }, () => 8)],
    // Past the exact capacity: a point mass inside continuous data, which a bucket cannot place.
    ['a point mass among 20k continuous values', withMass(normals(20_000, 13), 5, 10_000), withMass(normals(20_000, 14), 5, 9_900, 6, 100)],
    [
      'negative point masses past the capacity',
      withMass(normals(20_000, 15), -2.5, 4_000),
      withMass(normals(20_000, 16), -2.5, 3_000, -1.25, 1_000),
    ],
  ];
  test.each(cases)('%s', (_, b, c) => {
    const { drift, bound } = compareNumbers(b, c);
    checkNumericDrift(b, c, drift, bound);
  });

  test('1M normal values keep the default scale 5: quantiles within 1.08%', () => {
    const xs = normals(1_000_000, 42);
    const h = core.histogram();
    h.addMany(xs);
    const s = exact.sorted(xs);
    const { relativeError, scale } = h.summary();
    expect(scale).toBe(5);
    expect(relativeError).toBeLessThan(0.01084);
    for (const q of [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999]) {
      const e = exact.quantile(s, q);
      expect(Math.abs(h.quantile(q) - e)).toBeLessThanOrEqual(relativeError! * Math.abs(e));
    }
    h.dispose();
  });

  test('real integer data (200k flight delays) keeps scale 5 at the default budget', () => {
    const xs = Float64Array.from(vegaJson<{ delay: number }>('flights-200k.json'), (f) => f.delay);
    const h = core.histogram();
    h.addMany(xs);
    const { relativeError, scale } = h.summary();
    expect(scale).toBe(5);
    const s = exact.sorted(xs);
    for (let q = 0.01; q < 1; q += 0.01) {
      const e = exact.quantile(s, q);
      expect(Math.abs(h.quantile(q) - e), `q${q}: ${h.quantile(q)} vs ${e}`).toBeLessThanOrEqual(
        relativeError! * Math.abs(e) * (1 + 1e-12),
      );
    }
    expect(h.toBytes().byteLength).toBeLessThanOrEqual(2560);
    h.dispose();
  });

  test('at scale 5 without downscaling the error bound is 1.08%', () => {
    const xs = normals(100_000, 43, 100, 10); // 60..140: well inside 320 buckets at scale 5
    const h = core.histogram();
    h.addMany(xs);
    const { scale, relativeError } = h.summary();
    expect(scale).toBe(5);
    expect(relativeError).toBeLessThan(0.01084);
    const s = exact.sorted(xs);
    for (const q of [0, 0.01, 0.5, 0.9, 0.99, 1]) {
      const e = exact.quantile(s, q);
      expect(Math.abs(h.quantile(q) - e)).toBeLessThanOrEqual(relativeError! * Math.abs(e));
    }
    h.dispose();
  });

  test('counters: count, missing, NaN, ±Inf, sum, mean, variance, min, max are exact', () => {
    const values = [1.5, null, NaN, Infinity, -Infinity, -2, '', undefined, 4, 0, 'abc', '7'];
    const p = core.profile({ columns: [{ name: 'v', kind: 'numeric' }] });
    p.recordNumbers('v', values);
    const s = p.summary('v');
    const finite = [1.5, -2, 4, 0, 7];
    expect(s).toMatchObject({ count: 12, missing: 3, nan: 2, posInf: 1, negInf: 1, finite: 5, min: -2, max: 7 });
    if (s.kind === 'categorical') throw new Error('kind');
    expect(s.sum).toBe(10.5);
    expect(s.mean).toBeCloseTo(exact.mean(finite), 12);
    expect(s.variance).toBeCloseTo(exact.variance(finite), 12);
    p.dispose();
  });
});

describe('numeric statistics on real data (vega-datasets)', () => {
  const weather = vegaCsv('weather.csv');
  const seattle = weather.filter((r) => r.location === 'Seattle');
  const newYork = weather.filter((r) => r.location === 'New York');
  test.each(['precipitation', 'temp_max', 'temp_min', 'wind'])('weather %s: Seattle vs New York', (col) => {
    const b = numbers(seattle, col);
    const c = numbers(newYork, col);
    const { drift, bound } = compareNumbers(b, c);
    checkNumericDrift(b, c, drift, bound);
  });

  test.each(['precipitation', 'temp_max', 'wind'])('weather %s: Seattle 2012–13 vs 2014–15', (col) => {
    const b = numbers(
      seattle.filter((r) => r.date < '2014'),
      col,
    );
    const c = numbers(
      seattle.filter((r) => r.date >= '2014'),
      col,
    );
    const { drift, bound } = compareNumbers(b, c);
    checkNumericDrift(b, c, drift, bound);
  });

  test('flights delay and distance: first vs second half of flights-2k', () => {
    const flights = vegaJson<{ delay: number; distance: number }>('flights-2k.json');
    const half = flights.length / 2;
    for (const col of ['delay', 'distance'] as const) {
      const b = Float64Array.from(flights.slice(0, half), (f) => f[col]);
      const c = Float64Array.from(flights.slice(half), (f) => f[col]);
      const { drift, bound } = compareNumbers(b, c);
      checkNumericDrift(b, c, drift, bound);
    }
  });

  test('birdstrikes repair cost: heavy-tailed, mostly zeros', () => {
    const rows = vegaCsv('birdstrikes.csv');
    const half = Math.floor(rows.length / 2);
    const b = numbers(rows.slice(0, half), 'Cost Repair');
    const c = numbers(rows.slice(half), 'Cost Repair');
    const { drift, bound } = compareNumbers(b, c);
    checkNumericDrift(b, c, drift, bound);
  });

  test('missing rates are exact', () => {
    const rows = vegaCsv('birdstrikes.csv');
    const p = core.profile(core.inferSchema(rows));
    p.recordRows(rows);
    for (const col of ['Wildlife Size', 'Speed IAS in knots', 'Origin State']) {
      const s = p.summary(col);
      expect(s.count).toBe(rows.length);
      expect(s.missing).toBe(rows.filter((r) => r[col] === '').length);
    }
    p.dispose();
  });
});

describe('categorical statistics', () => {
  function categoricalDrift(a: string[], b: string[]): CategoricalDrift {
    const pa = core.profile({ columns: [{ name: 'c', kind: 'categorical' }] });
    const pb = core.profile({ columns: [{ name: 'c', kind: 'categorical' }] });
    pa.recordLabels('c', a);
    pb.recordLabels('c', b);
    const d = core.compare(pa, pb).columns.c as CategoricalDrift;
    pa.dispose();
    pb.dispose();
    return d;
  }

  function checkCategorical(a: string[], b: string[]): void {
    const d = categoricalDrift(a, b);
    const ca = exact.counts(a);
    const cb = exact.counts(b);
    const { statistic, dof } = exact.chi2Homogeneity(ca, cb);
    expect(d.chi2.statistic).toBeCloseTo(statistic, 8);
    expect(d.chi2.dof).toBe(dof);
    const keys = [...new Set([...ca.keys(), ...cb.keys()])];
    const pa = exact.proportions(ca, keys);
    const pb = exact.proportions(cb, keys);
    expect(d.linf).toBeCloseTo(Math.max(...pa.map((p, i) => Math.abs(p - pb[i]))), 12);
    expect(d.js).toBeCloseTo(exact.jsDistance(pa, pb), 10);
    expect(d.psi).toBeCloseTo(exact.psi(pa, pb), 10);
  }

  test('weather type: Seattle vs New York (real data)', () => {
    const weather = vegaCsv('weather.csv');
    checkCategorical(
      weather.filter((r) => r.location === 'Seattle').map((r) => r.weather),
      weather.filter((r) => r.location === 'New York').map((r) => r.weather),
    );
  });

  test('flight origins: first vs second half (real data)', () => {
    const flights = vegaJson<{ origin: string }>('flights-2k.json');
    checkCategorical(
      flights.slice(0, 1000).map((f) => f.origin),
      flights.slice(1000).map((f) => f.origin),
    );
  });

  test('chi-square p-values match published table values', () => {
    // 2×2 table [[10, 20], [20, 10]]: χ² = 6.6667 with 1 dof, p = 0.009823.
    const d = categoricalDrift([...Array(10).fill('a'), ...Array(20).fill('b')], [...Array(20).fill('a'), ...Array(10).fill('b')]);
    expect(d.chi2.statistic).toBeCloseTo(20 / 3, 10);
    expect(d.chi2.pvalue).toBeCloseTo(0.0098232, 6);
    // 2×3 table [[30, 20, 10], [10, 20, 30]]: χ² = 20 with 2 dof, p = e^-10.
    const e = categoricalDrift(
      [...Array(30).fill('x'), ...Array(20).fill('y'), ...Array(10).fill('z')],
      [...Array(10).fill('x'), ...Array(20).fill('y'), ...Array(30).fill('z')],
    );
    expect(e.chi2.statistic).toBeCloseTo(20, 10);
    expect(e.chi2.pvalue).toBeCloseTo(Math.exp(-10), 12);
  });

  test('beyond capacity: frequent items within the reported error bound, HLL distinct within 5%', () => {
    const r = rng(77);
    const values: string[] = [];
    // Zipf-like: a few heavy values and a long tail of 20,000 rare ones.
    for (let i = 0; i < 50_000; i++) values.push(r() < 0.5 ? `hot${Math.floor(r() * 10)}` : `tail${Math.floor(r() * 20_000)}`);
    const p = core.profile({ columns: [{ name: 'c', kind: 'categorical', capacity: 64 }] });
    p.recordLabels('c', values);
    const s = p.summary('c');
    if (s.kind !== 'categorical') throw new Error('kind');
    expect(s.mode).toBe('sketch');
    const truth = exact.counts(values);
    expect(s.errorBound).toBeLessThanOrEqual(values.length / 65);
    for (const { value, count } of s.items) {
      const t = truth.get(value)!;
      expect(count).toBeLessThanOrEqual(t);
      expect(count).toBeGreaterThanOrEqual(t - s.errorBound);
    }
    // Every value more frequent than the bound is listed.
    for (const [value, t] of truth)
      if (t > s.errorBound)
        expect(
          s.items.some((i) => i.value === value),
          value,
        ).toBe(true);
    expect(Math.abs(s.distinct - truth.size) / truth.size).toBeLessThan(0.05);
    p.dispose();
  });

  test('a vocabulary folds unknown values into __other__ and keeps empty cells', () => {
    const p = core.profile({ columns: [{ name: 'plan', kind: 'categorical', vocabulary: ['free', 'pro', 'team'] }] });
    p.recordLabels('plan', ['free', 'pro', 'enterprise', 'free', null, 'x']);
    const s = p.summary('plan');
    if (s.kind !== 'categorical') throw new Error('kind');
    expect(s.mode).toBe('vocabulary');
    expect(Object.fromEntries(s.items.map((i) => [i.value, i.count]))).toEqual({ free: 2, pro: 1, team: 0, __other__: 2 });
    expect(s.missing).toBe(1);
    p.dispose();
  });
});

describe('fixed grids', () => {
  test('right-closed bins with under- and overflow, exact counts', () => {
    const p = core.profile({ columns: [{ name: 'g', kind: 'grid', edges: [0, 1, 2] }] });
    p.recordNumbers('g', [-1, 0, 0.5, 1, 1.5, 2, 3, NaN]);
    const s = p.summary('g');
    if (s.kind === 'categorical') throw new Error('kind');
    expect(s.counts).toEqual([2, 2, 2, 1]);
    expect(s.nan).toBe(1);
    p.dispose();
  });

  test('default grid: 0..1 in 100 bins', () => {
    const p = core.profile({ columns: [{ name: 'score', kind: 'grid' }] });
    p.recordNumbers('score', [0.005, 0.015, 0.999]);
    const s = p.summary('score');
    if (s.kind === 'categorical') throw new Error('kind');
    expect(s.edges).toHaveLength(101);
    expect(s.counts![1]).toBe(1);
    expect(s.counts![2]).toBe(1);
    expect(s.counts![100]).toBe(1);
    p.dispose();
  });

  test('drift on a grid at baseline percentiles agrees with the exact statistics', () => {
    const b = normals(20_000, 21);
    const c = normals(20_000, 22, 0.4, 1.2);
    const base = numericProfile(b, 'x');
    const edges = base.percentileEdges('x', 64);
    expect(edges.length).toBeGreaterThan(50);
    const cur = core.profile({ columns: [{ name: 'x', kind: 'grid', edges }] });
    cur.recordNumbers('x', c);
    const d = core.compare(base, cur).columns.x as NumericDrift;
    const sb = exact.sorted(b);
    const sc = exact.sorted(c);
    expect(Math.abs(d.ks.statistic - exact.ksStatistic(sb, sc))).toBeLessThanOrEqual(0.01);
    const pb = exact.decileBins(sb, sb);
    const pc = exact.decileBins(sb, sc);
    expect(exact.near(d.psi, exact.psi(pb, pc), 0.01, 0.1)).toBe(true);
    expect(exact.near(d.js, exact.jsDistance(pb, pc), 0.01, 0.1)).toBe(true);
    expect(exact.near(d.hellinger, exact.hellinger(pb, pc), 0.01, 0.1)).toBe(true);
    base.dispose();
    cur.dispose();
  });
});
