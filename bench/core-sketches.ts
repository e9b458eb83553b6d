// The sketch core against its peers, side by side in one process on the same values: throughput,
// serialized size, quantile accuracy and merge correctness. Everything printed is a measurement;
// a goal that is missed is reported as MISS, never thrown.
import { loadCore, type Core } from '../src/core/index.ts';
import { exactQuantile, quantileErrors } from './lib/accuracy.ts';
import { flightDelays, lognormal, normal, type Dataset } from './lib/datasets.ts';
import { ddsketch, edgewatch, fixedBinLoop, tdigest, type Contender } from './lib/sketches.ts';
import { bytes, pct, rate, ratio, table } from './lib/table.ts';
import { timeRounds } from './lib/timing.ts';

const N = 1_000_000;
const SEED = 20240601;
const QUANTILES = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];
/** Timed rounds after the warm-up; every contender runs once per round. */
const ROUNDS = 15;
/** A bucket budget large enough to keep the default scale 5 on these data, for comparison. */
const WIDE_BUDGET = 2048;

const GOALS = { ddsketch: 10, plainLoop: 0.5, bytes: 4096 };

/** What each contender's size measures is said once, under the first table. */
let legendPrinted = false;

export async function run(): Promise<void> {
  const core = await loadCore();
  console.log('# Sketch core vs peers');
  console.log(`quantiles: ${QUANTILES.join(', ')}; exact = sorted value at rank floor(q·(n−1))`);
  console.log(`throughput: best (and median) of ${ROUNDS} rounds after one warm-up round, contenders taking turns`);
  console.log("rank error: distance from the target rank to the estimate's rank range in the data, as a share of n\n");
  const datasets: (() => Dataset)[] = [() => normal(N, SEED), () => lognormal(N, SEED), flightDelays];
  for (const make of datasets) benchmark(make(), core);
}

function benchmark(data: Dataset, core: Core): void {
  const xs = data.values;
  const sorted = xs.slice().sort();
  const [lo, hi] = [sorted[0], sorted[sorted.length - 1]];
  console.log(`## ${data.name}`);
  console.log(`range [${lo}, ${hi}]; the plain loop is given this range in advance\n`);

  const ew = edgewatch(core);
  const dd = ddsketch(0.01);
  const plain = fixedBinLoop(lo, hi, 100);
  const contenders: Contender<any>[] = [ew, edgewatch(core, WIDE_BUDGET), dd, tdigest(), plain];

  const timings = timeRounds(
    contenders.map((c) => ({ name: c.name, run: () => c.build(xs), after: (s: unknown) => c.dispose?.(s) })),
    ROUNDS,
  );
  const bestRate = (c: Contender<any>) => xs.length / (timings[contenders.indexOf(c)].best / 1000);
  const ddRate = bestRate(dd);
  const plainRate = bestRate(plain);

  const sizes = new Map<Contender<any>, number>();
  const rows = contenders.map((c, i) => {
    const s = c.build(xs);
    sizes.set(c, c.bytes(s));
    const err = quantileErrors(sorted, QUANTILES, (q) => c.quantile(s, q));
    c.dispose?.(s);
    return [
      c.name,
      rate(bestRate(c)),
      rate(xs.length / (timings[i].median / 1000)),
      ratio(bestRate(c) / ddRate),
      ratio(bestRate(c) / plainRate),
      bytes(sizes.get(c)!),
      pct(err.worstRelative),
      `q=${err.worstRelativeAt}`,
      pct(err.worstRank),
    ];
  });
  console.log(
    table(
      ['sketch', 'values/s best', 'median', '× DDSketch', '× plain loop', 'serialized', 'worst rel. err', 'at', 'worst rank err'],
      rows,
      [false, true, true, true, true, true, true, false, true],
    ),
  );
  const zeros = QUANTILES.filter((q) => exactQuantile(sorted, q) === 0);
  if (zeros.length > 0) console.log(`(relative error leaves out q = ${zeros.join(', ')}: the exact quantile is 0 there)`);
  if (!legendPrinted) {
    console.log('serialized:');
    for (const c of contenders) console.log(`  ${c.name}: ${c.serialized}`);
    legendPrinted = true;
  }
  console.log();

  mergeTable(contenders, xs, sorted);

  const ewRate = bestRate(ew);
  console.log('goals (edgewatch, default options):');
  goal(`throughput ≥ ${GOALS.ddsketch}× DDSketch`, ewRate / ddRate >= GOALS.ddsketch, ratio(ewRate / ddRate));
  goal(`throughput ≥ ${GOALS.plainLoop}× the plain loop`, ewRate / plainRate >= GOALS.plainLoop, ratio(ewRate / plainRate));
  goal(`≤ ${GOALS.bytes / 1024} KB per column`, sizes.get(ew)! <= GOALS.bytes, bytes(sizes.get(ew)!));
  console.log();
}

/** Each contender built on the two halves and merged, against the same contender built on all. */
function mergeTable(contenders: Contender<any>[], xs: Float64Array, sorted: Float64Array): void {
  const half = xs.length >> 1;
  const notes: string[] = [];
  const rows = contenders.map((c) => {
    const whole = c.build(xs);
    const a = c.build(xs.subarray(0, half));
    const b = c.build(xs.subarray(half));
    const merged = c.merge(a, b);
    // The quantile where the merged sketch strays furthest from the sketch of the whole.
    let worst = { d: 0, q: NaN, w: NaN, m: NaN };
    for (const q of QUANTILES) {
      const w = c.quantile(whole, q);
      const m = c.quantile(merged, q);
      const d = w === m ? 0 : w === 0 ? Infinity : Math.abs(m - w) / Math.abs(w);
      if (d > worst.d) worst = { d, q, w, m };
    }
    const err = quantileErrors(sorted, QUANTILES, (q) => c.quantile(merged, q));
    const same = c.identical?.(merged, whole);
    const note = c.mergeNote?.(merged, whole, [a, b]);
    if (note) notes.push(`  ${c.name}: ${note}`);
    const row = [
      c.name,
      String(c.count(whole)),
      String(c.count(merged)),
      String(c.held(merged)),
      pct(worst.d),
      worst.d === 0 ? '' : `q=${worst.q}: ${short(worst.w)} → ${short(worst.m)}`,
      pct(err.worstRelative),
      pct(err.worstRank),
      same === undefined ? 'n/a' : same ? 'yes' : 'NO',
    ];
    for (const s of [whole, merged, b]) c.dispose?.(s); // merged is a
    return row;
  });
  console.log('merge: built on each half, merged, set against the same sketch built on all values');
  console.log(
    table(
      [
        'sketch',
        'count whole',
        'count merged',
        'held in buckets',
        'worst Δq vs whole',
        'at: whole → merged',
        'worst rel. err',
        'worst rank err',
        'identical',
      ],
      rows,
      [false, true, true, true, true, false, true, true, false],
    ),
  );
  console.log("(identical: the serialized state equals the whole's; n/a where there is no exact notion)");
  for (const n of notes) console.log(n);
  console.log();
}

function short(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

function goal(what: string, met: boolean, measured: string): void {
  console.log(`  ${met ? 'PASS' : 'MISS'}  ${what}: measured ${measured}`);
}
