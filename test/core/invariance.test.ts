// Drift statistics and verdicts do not change under x → a·x + b: numeric columns recorded with
// the default center ('auto') hold deviations from their first values' mean, so an offset of a million spreads
// (years, kelvin, timestamps, prices) costs no resolution. Checked against the exact statistics
// of the raw data, which are invariant by definition.
import { describe, expect, test } from 'vitest';
import { loadCore, type NumericDrift, type NumericSummary, type Profile, type Schema } from '../../src/core/index.ts';
import * as exact from '../helpers/exact.ts';
import { normals, rng } from '../helpers/random.ts';
import { numbers, vegaCsv } from '../helpers/vega.ts';

const core = await loadCore();
// No center given: the default must be the one that keeps resolution under any offset.
const AUTO: Schema = { columns: [{ name: 'x', kind: 'numeric' }] };

function record(schema: Schema, xs: Float64Array): Profile {
  const p = core.profile(schema);
  p.recordNumbers('x', xs);
  return p;
}

/** Baseline recorded with center 'auto'; current either on its own ('auto') or from the baseline's schema. */
function drift(b: Float64Array, c: Float64Array, shared: boolean): NumericDrift {
  const pb = record(AUTO, b);
  const pc = record(shared ? pb.schema() : AUTO, c);
  const d = core.compare(pb, pc).columns.x as NumericDrift;
  pb.dispose();
  pc.dispose();
  return d;
}

function exactStats(b: Float64Array, c: Float64Array) {
  const sb = exact.sorted(b);
  const sc = exact.sorted(c);
  const pb = exact.decileBins(sb, sb);
  const pc = exact.decileBins(sb, sc);
  const wNorm = exact.wasserstein(sb, sc) / Math.sqrt(exact.variance(b));
  return { ks: exact.ksStatistic(sb, sc), wNorm, psi: exact.psi(pb, pc), js: exact.jsDistance(pb, pc), hellinger: exact.hellinger(pb, pc) };
}

function shuffledHalves(xs: Float64Array, seed: number): [Float64Array, Float64Array] {
  const r = rng(seed);
  const a = Array.from(xs);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  const h = Math.floor(a.length / 2);
  return [Float64Array.from(a.slice(0, h)), Float64Array.from(a.slice(h))];
}

const seattle = vegaCsv('weather.csv').filter((r) => r.location === 'Seattle');
const newYork = vegaCsv('weather.csv').filter((r) => r.location === 'New York');
const pairs: [string, Float64Array, Float64Array, boolean][] = [
  ['normal: a shift of half a standard deviation', normals(20_000, 1), normals(20_000, 2, 0.5), true],
  ['normal: same distribution', normals(20_000, 3), normals(20_000, 4), false],
  ['weather temp_max: Seattle vs New York', numbers(seattle, 'temp_max'), numbers(newYork, 'temp_max'), true],
  ['weather temp_max: Seattle, random split', ...shuffledHalves(numbers(seattle, 'temp_max'), 5), false],
  ['weather wind: Seattle vs New York', numbers(seattle, 'wind'), numbers(newYork, 'wind'), true],
  ['weather wind: New York, random split', ...shuffledHalves(numbers(newYork, 'wind'), 6), false],
];

// [a, b in units of the baseline's standard deviation]
const transforms: [number, number][] = [
  [1, 0],
  [1, 1e3],
  [1, 1e6],
  [3.7, -2e5],
  [0.001, 5e4],
  [1024, 1e6],
];

describe('statistics under x → a·x + b', () => {
  describe.each(pairs)('%s', (_, b0, c0, drifts) => {
    const sd = Math.sqrt(exact.variance(b0));
    const truth = exactStats(b0, c0);
    test.each(transforms)('a = %d, b = %d spreads', (a, shiftInSpreads) => {
      const f = (x: number) => a * x + shiftInSpreads * sd * a;
      const b = b0.map(f);
      const c = c0.map(f);
      for (const shared of [true, false]) {
        const d = drift(b, c, shared);
        const what = `${shared ? 'shared' : 'own'} center`;
        expect(Math.abs(d.ks.statistic - truth.ks), `${what} KS ${d.ks.statistic} vs ${truth.ks}`).toBeLessThanOrEqual(0.01);
        const wNorm = d.wasserstein / (a * sd);
        expect(exact.near(wNorm, truth.wNorm, 0.01, 0.05), `${what} W1/std ${wNorm} vs ${truth.wNorm}`).toBe(true);
        expect(exact.near(d.psi, truth.psi, 0.01, 0.1), `${what} PSI ${d.psi} vs ${truth.psi}`).toBe(true);
        expect(exact.near(d.js, truth.js, 0.01, 0.1), `${what} JS ${d.js} vs ${truth.js}`).toBe(true);
        expect(exact.near(d.hellinger, truth.hellinger, 0.01, 0.1), `${what} Hellinger ${d.hellinger} vs ${truth.hellinger}`).toBe(true);
        expect(d.drifted.drifted, what).toBe(drifts);
      }
    });
  });

  test('the same temperatures in kelvin and in °C give the same PSI', () => {
    const b = numbers(seattle, 'temp_max');
    const c = numbers(newYork, 'temp_max');
    const celsius = drift(b, c, true);
    const kelvin = drift(
      b.map((x) => x + 273.15),
      c.map((x) => x + 273.15),
      true,
    );
    const truth = exactStats(b, c);
    expect(exact.near(celsius.psi, truth.psi, 0.01, 0.1)).toBe(true);
    expect(exact.near(kelvin.psi, truth.psi, 0.01, 0.1)).toBe(true);
  });

  test('windows recorded from the baseline schema share its center and merge', () => {
    const pb = record(AUTO, normals(5000, 7, 1e6, 1));
    const schema = pb.schema();
    expect(schema.columns[0]).toMatchObject({ kind: 'numeric', center: 1e6 });
    const w1 = record(schema, normals(3000, 8, 1e6, 1));
    const w2 = record(schema, normals(3000, 9, 1e6, 1));
    w1.merge(w2);
    expect(w1.summary('x').count).toBe(6000);
    // Two sketches centred apart cannot merge exactly: a one-line error, nothing changed.
    const other = record({ columns: [{ name: 'x', kind: 'numeric', center: 5 }] }, normals(300, 10, 1e6, 1));
    const before = w1.toBytes();
    expect(() => w1.merge(other)).toThrow(/different centers/);
    expect(w1.toBytes()).toEqual(before);
    [pb, w1, w2, other].forEach((p) => p.dispose());
  });

  test('a side holding exact values merges with any center, exactly and in either order', () => {
    const schema = record(AUTO, normals(5000, 11, 1e6, 1)).schema();
    const sketch = record(schema, normals(3000, 12, 1e6, 1));
    const years = Float64Array.from({ length: 400 }, (_, i) => 1e6 + 37 + (i % 9));
    const exactOwn = record(AUTO, years); // its own center, from its own values
    expect(centerOf(exactOwn)).not.toBe(centerOf(sketch));
    const ab = record(schema, normals(3000, 12, 1e6, 1)).merge(exactOwn);
    const ba = record(AUTO, years).merge(sketch);
    // The same as recording the exact values from the sketch's schema in the first place.
    const direct = record(schema, normals(3000, 12, 1e6, 1));
    direct.recordNumbers('x', years);
    expect(centerOf(ab)).toBe(centerOf(sketch));
    expect(stripMoments(ab)).toEqual(stripMoments(direct));
    expect(stripMoments(ba)).toEqual(stripMoments(direct));
    [sketch, exactOwn, ab, ba, direct].forEach((p) => p.dispose());
  });
});

describe('buckets of x for export', () => {
  test.each([
    ['a sketch on both sides of its center', normals(5000, 20, 1e6, 3)],
    ['exact values', Float64Array.from({ length: 300 }, (_, i) => 1e6 + (i % 11) - 5)],
  ])('%s: every bucket holds exactly the raw values in it', (_, xs) => {
    const p = record(AUTO, xs);
    const { bounds, counts } = p.buckets('x');
    p.dispose();
    expect(bounds.every((b, k) => k === 0 || b > bounds[k - 1])).toBe(true);
    const truth = counts.map((_, k) => xs.filter((x) => (k === 0 || x > bounds[k - 1]) && (k === bounds.length || x <= bounds[k])).length);
    expect(counts).toEqual(truth);
  });
});

/** Buckets, counters and scale: the float moments of a merge equal recording's only to rounding. */
function stripMoments(p: Profile) {
  const { sum, mean, std, variance, ...rest } = p.summary('x') as NumericSummary;
  return rest;
}

const centerOf = (p: Profile) => (p.summary('x') as NumericSummary).center;
