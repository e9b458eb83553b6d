// Categorical verdicts are calibrated: on random splits (both sides drawn from one distribution)
// the default rule flags at most 5% of columns, from 2 to 10^4 categories and 10^2 to 10^6 rows
// per side, in exact and in frequent-items mode; real shifts are still flagged.
import { describe, expect, test } from 'vitest';
import { loadCore, type CategoricalDrift } from '../../src/core/index.ts';
import { rng } from '../helpers/random.ts';
import { vegaCsv, vegaJson } from '../helpers/vega.ts';

const core = await loadCore();

/** Zipf(1) over k categories: real category columns have a few common values and a long tail. */
function sampler(k: number, seed: number, reversed = false): () => string {
  const labels = Array.from({ length: k }, (_, i) => `c${reversed ? k - 1 - i : i}`);
  const cdf = new Float64Array(k);
  let s = 0;
  for (let i = 0; i < k; i++) cdf[i] = s += 1 / (i + 1);
  const r = rng(seed);
  return () => {
    const u = r() * s;
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return labels[lo];
  };
}

function verdict(baseline: string[], current: string[]): CategoricalDrift {
  const pb = core.profile({ columns: [{ name: 'c', kind: 'categorical' }] });
  const pc = core.profile({ columns: [{ name: 'c', kind: 'categorical' }] });
  pb.recordLabels('c', baseline);
  pc.recordLabels('c', current);
  const d = core.compare(pb, pc).columns.c as CategoricalDrift;
  pb.dispose();
  pc.dispose();
  return d;
}

const KS = [2, 10, 220, 1000, 10_000];
const NS = [100, 1000, 10_000, 100_000, 1_000_000];
const trialsFor = (n: number) => (n <= 10_000 ? 40 : n <= 100_000 ? 8 : 3);

describe('false alarms on random splits', () => {
  let alarms = 0;
  let trials = 0;
  test.each(KS.flatMap((k) => NS.map((n) => [k, n])))('K = %d, n = %d per side', (k, n) => {
    const T = trialsFor(n);
    let fired = 0;
    for (let t = 0; t < T; t++) {
      const draw = sampler(k, 1000 * k + 7 * n + t);
      const b = Array.from({ length: n }, draw);
      const c = Array.from({ length: n }, draw);
      if (verdict(b, c).drifted.drifted) fired++;
    }
    alarms += fired;
    trials += T;
    // 5% plus three binomial standard deviations for this configuration's few trials.
    expect(fired, `${fired} of ${T} random splits flagged`).toBeLessThanOrEqual(0.05 * T + 3 * Math.sqrt(0.05 * 0.95 * T));
  });

  test('over all configurations, at most 5%', () => {
    expect(trials).toBeGreaterThan(400);
    expect(alarms / trials).toBeLessThanOrEqual(0.05);
  });
});

describe('real shifts are still flagged', () => {
  test.each([
    [10, 5000],
    [220, 7000],
    [1000, 50_000],
    [10_000, 200_000],
  ])('K = %d, n = %d: 30% of the rows from the reversed ranking', (k, n) => {
    const draw = sampler(k, k + n);
    const other = sampler(k, k + n + 1, true);
    const r = rng(k);
    const b = Array.from({ length: n }, draw);
    const c = Array.from({ length: n }, () => (r() < 0.3 ? other() : draw()));
    const d = verdict(b, c);
    expect(d.drifted.drifted, JSON.stringify(d.drifted)).toBe(true);
  });
});

describe('real category columns (vega-datasets): a real shift flagged, a random split not', () => {
  function shuffled<T>(xs: T[], seed: number): T[] {
    const r = rng(seed);
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  type Row = Record<string, string | number | null>;
  const airports = vegaCsv('airports.csv') as Row[];
  const movies = vegaJson<Row>('movies.json').filter((m) => m['Major Genre'] !== null);
  const flights = vegaJson<Row>('flights-20k.json');
  test.each([
    ['airports: state, east vs west of -95°', airports, 'state', (r: Row) => Number(r.longitude) < -95],
    ['movies: major genre, R-rated vs the rest', movies, 'Major Genre', (r: Row) => r['MPAA Rating'] === 'R'],
    ['flights: destination, morning vs evening departures', flights, 'destination', (r: Row) => String(r.date).slice(11, 13) < '12'],
  ] as const)('%s', (_, rows, key, isBaseline) => {
    const values = (rs: Row[]) => rs.map((r) => String(r[key]));
    expect(verdict(values(rows.filter(isBaseline)), values(rows.filter((r) => !isBaseline(r)))).drifted.drifted).toBe(true);
    const all = shuffled(values(rows), 11);
    const half = Math.floor(all.length / 2);
    expect(verdict(all.slice(0, half), all.slice(half)).drifted.drifted).toBe(false);
  });
});
