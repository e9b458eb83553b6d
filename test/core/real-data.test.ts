// Numeric drift statistics on real columns nobody tuned to (vega-datasets), each pair a real
// split and a random-split control of the same rows. Every statistic against the exact one on
// the raw data, within its documented bound, and the verdict equal to the rule applied to the
// exact statistics. Columns are recorded as the CLI records them (center 'auto').
import { describe, expect, test } from 'vitest';
import { DRIFT_DEFAULTS, loadCore, type NumericDrift, type NumericSummary, type Profile } from '../../src/core/index.ts';
import * as exact from '../helpers/exact.ts';
import { rng } from '../helpers/random.ts';
import { numbers, vegaCsv, vegaJson } from '../helpers/vega.ts';

const core = await loadCore();
type Row = Record<string, unknown>;

function profileOf(xs: Float64Array): Profile {
  const p = core.profile({ columns: [{ name: 'x', kind: 'numeric', center: 'auto' }] });
  p.recordNumbers('x', xs);
  return p;
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

/** The verdict rule of core.md applied to exact statistics. */
function exactVerdict(b: Float64Array, c: Float64Array): boolean {
  const sb = exact.sorted(b);
  const sc = exact.sorted(c);
  if (b.length <= DRIFT_DEFAULTS.smallSample) {
    const ne = (b.length * c.length) / (b.length + c.length);
    return exact.kolmogorovSf(Math.sqrt(ne) * exact.ksStatistic(sb, sc)) < DRIFT_DEFAULTS.pvalue;
  }
  return exact.wasserstein(sb, sc) / Math.sqrt(exact.variance(b)) >= DRIFT_DEFAULTS.wassersteinNorm;
}

function check(b: Float64Array, c: Float64Array): NumericDrift {
  const pb = profileOf(b);
  const pc = profileOf(c);
  const d = core.compare(pb, pc).columns.x as NumericDrift;
  const exactBoth = (pb.summary('x') as NumericSummary).exact !== undefined && (pc.summary('x') as NumericSummary).exact !== undefined;
  const rel = Math.max((pb.summary('x') as NumericSummary).relativeError!, (pc.summary('x') as NumericSummary).relativeError!);
  const centers = [(pb.summary('x') as NumericSummary).center!, (pc.summary('x') as NumericSummary).center!];
  pb.dispose();
  pc.dispose();
  const sb = exact.sorted(b);
  const sc = exact.sorted(c);
  const ks = exact.ksStatistic(sb, sc);
  // Within the documented bound; read at common points (same center) D is never above the exact.
  expect(Math.abs(d.ks.statistic - ks), `KS ${d.ks.statistic} vs ${ks} ± ${d.ks.bound}`).toBeLessThanOrEqual(d.ks.bound + 1e-12);
  if (centers[0] === centers[1]) expect(d.ks.statistic).toBeLessThanOrEqual(ks + 1e-12);
  const w = exact.wasserstein(sb, sc);
  expect(Math.abs(d.wasserstein - w), `W1 ${d.wasserstein} vs ${w} ± ${d.wasserstein_bound}`).toBeLessThanOrEqual(
    d.wasserstein_bound * (1 + 1e-9) + 1e-9 * Math.abs(w),
  );
  // Binned statistics: exact on exact values; on a sketch within 0.01 + 10% from 1,000 values a
  // side (below that, a bucket's share at a decile cut moves PSI by more: see docs/core.md).
  const pB = exact.decileBins(sb, sb);
  const pC = exact.decileBins(sb, sc);
  // At every size the exact values lie within the computed bounds.
  const within = (got: number, want: number, bound: number, what: string) =>
    expect(Math.abs(got - want), `${what} ${got} vs ${want} ± ${bound}`).toBeLessThanOrEqual(bound + 1e-9);
  within(d.psi, exact.psi(pB, pC), d.psi_bound, 'PSI');
  within(d.js, exact.jsDistance(pB, pC), d.js_bound, 'JS');
  within(d.hellinger, exact.hellinger(pB, pC), d.hellinger_bound, 'Hellinger');
  if (exactBoth) expect([d.psi_bound, d.js_bound, d.hellinger_bound]).toEqual([0, 0, 0]);
  if (exactBoth || Math.min(b.length, c.length) >= 1000) {
    const [abs, rel10] = exactBoth ? [1e-9, 0] : [0.01, 0.1];
    expect(exact.near(d.psi, exact.psi(pB, pC), abs, rel10), `PSI ${d.psi} vs ${exact.psi(pB, pC)}`).toBe(true);
    expect(exact.near(d.js, exact.jsDistance(pB, pC), abs, rel10), `JS ${d.js} vs ${exact.jsDistance(pB, pC)}`).toBe(true);
    expect(exact.near(d.hellinger, exact.hellinger(pB, pC), abs, rel10)).toBe(true);
  }
  for (const q of ['0.5', '0.9', '0.99'] as const) {
    const eb = exact.quantile(sb, Number(q));
    // Relative to the distance from the center the buckets are laid around.
    expect(Math.abs(d.quantiles[q][0] - eb), `q${q}`).toBeLessThanOrEqual(rel * Math.abs(eb - centers[0]) * (1 + 1e-9) + 1e-12);
  }
  expect(d.drifted.drifted, `verdict ${JSON.stringify(d.drifted)}`).toBe(exactVerdict(b, c));
  return d;
}

const flights = vegaJson<Row>('flights-20k.json');
const cars = vegaJson<Row>('cars.json');
const movies = vegaJson<Row>('movies.json');
const birds = vegaCsv('birdstrikes.csv');
const hourly = vegaCsv('seattle-weather-hourly-normals.csv');
const gapminder = vegaJson<Row>('gapminder.json');
const co2 = vegaCsv('co2-concentration.csv');
const stocks = vegaCsv('stocks.csv');

// [name, rows, column, which rows form the baseline (else the first half, in file order)]
const cases: [string, Row[], string, ((r: Row) => boolean) | null][] = [
  ['flights delay: January 1–15 vs later', flights, 'delay', (r) => String(r.date) < '2001/01/16'],
  ['flights distance: January 1–15 vs later', flights, 'distance', (r) => String(r.date) < '2001/01/16'],
  ['cars weight: USA vs the rest', cars, 'Weight_in_lbs', (r) => r.Origin === 'USA'],
  ['cars mpg: USA vs the rest', cars, 'Miles_per_Gallon', (r) => r.Origin === 'USA'],
  ['movies IMDB votes: R vs the rest', movies, 'IMDB Votes', (r) => r['MPAA Rating'] === 'R'],
  ['movies worldwide gross: R vs the rest', movies, 'Worldwide Gross', (r) => r['MPAA Rating'] === 'R'],
  ['birdstrikes speed: first vs second half', birds, 'Speed IAS in knots', null],
  ['hourly pressure (hPa, offset ~1016): winter vs summer', hourly, 'pressure', (r) => /-(0[1-3]|1[0-2])-/.test(String(r.date))],
  ['hourly temperature: winter vs summer', hourly, 'temperature', (r) => /-(0[1-3]|1[0-2])-/.test(String(r.date))],
  ['gapminder life expectancy: 1955–1975 vs later', gapminder, 'life_expect', (r) => Number(r.year) <= 1975],
  ['gapminder population: 1955–1975 vs later', gapminder, 'pop', (r) => Number(r.year) <= 1975],
  ['CO2 (ppm, offset ~350): before vs after 1990', co2, 'CO2', (r) => String(r.Date) < '1990'],
  ['stock prices: MSFT vs IBM', stocks.filter((r) => r.symbol === 'MSFT' || r.symbol === 'IBM'), 'price', (r) => r.symbol === 'MSFT'],
];

describe('real numeric columns: a real split and a random-split control', () => {
  test.each(cases)('%s', (_, rows, key, isBaseline) => {
    const half = Math.floor(rows.length / 2);
    const base = isBaseline ? rows.filter((r) => isBaseline(r)) : rows.slice(0, half);
    const cur = isBaseline ? rows.filter((r) => !isBaseline(r)) : rows.slice(half);
    check(numbers(base, key), numbers(cur, key));
    const all = numbers(shuffled(rows, 3), key);
    const h = Math.floor(all.length / 2);
    check(all.subarray(0, h), all.subarray(h));
  });
});
