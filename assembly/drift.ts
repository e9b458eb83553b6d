// Drift between a baseline column and a current one. Definitions (the contract the tests check):
// - ks: two-sample Kolmogorov–Smirnov D = sup|F_b − F_c|, p-value from the asymptotic Kolmogorov
//   distribution at sqrt(n·m/(n+m))·D;
// - wasserstein: W1 = ∫|F_b − F_c| dx, in value units; also divided by the baseline's standard
//   deviation for the verdict;
// - psi, js (Jensen–Shannon distance, base 2), hellinger: on 10 bins cut at the baseline's
//   deciles, right-closed (e_{i-1}, e_i]; proportions floored at 1e-4 for psi only;
// - categorical (missing excluded): chi-square test of homogeneity on the 2×K table without
//   continuity correction, L∞ of the proportions, js and psi on the same proportions.
import { Column, KIND_CATEGORICAL } from './column';
import { Cells, cellsOf, cdfAt, centerOf, commonScale, quantileOf } from './cells';
import { kolmogorovSf, chi2Sf } from './special';
import { CategoricalSketch, MODE_SKETCH, MODE_VOCABULARY } from './categorical';
import { Writer } from './codec';
import { Moments, scaleFor } from './moments';

const PSI_FLOOR: f64 = 1e-4;
const MIN_EXPECTED: f64 = 5;

export function missingRate(c: Column): f64 {
  const n = c.counters.count;
  return n > 0 ? <f64>c.counters.missing / <f64>n : NaN;
}

/** Mean of the finite values; from the cells when privacy noise replaced the exact moments. */
export function meanOf(c: Column): f64 {
  if (!c.noisy) return c.moments.n > 0 ? c.moments.mean : NaN;
  const cells = cellsOf(c, 8);
  if (!(cells.total > 0)) return NaN;
  let s: f64 = 0;
  for (let i = 0; i < cells.n.length; i++) s += cells.n[i] * (0.5 * cells.lo[i] + 0.5 * cells.hi[i]);
  return s / cells.total;
}

export function stdOf(c: Column): f64 {
  if (!c.noisy) return c.moments.std();
  const cells = cellsOf(c, 8);
  const mean = meanOf(c);
  if (!(cells.total > 1)) return NaN;
  let s: f64 = 0;
  for (let i = 0; i < cells.n.length; i++) {
    const mid = (0.5 * cells.lo[i] + 0.5 * cells.hi[i]);
    s += cells.n[i] * (mid - mean) * (mid - mean);
  }
  return Math.sqrt(s / (cells.total - 1));
}

/**
 * The unit W1 is divided by for the verdict: the baseline's standard deviation. A baseline with no
 * spread (constant, or a single value) has no unit of its own: then the spread of both samples
 * pooled is the unit, and 0 when that too is 0 (both the same constant: W1 is then 0 as well).
 */
function unitOf(b: Column, c: Column): f64 {
  const sb = stdOf(b);
  if (sb > 0) return sb;
  if (!b.noisy && !c.noisy) {
    const m = new Moments();
    m.copyFrom(b.moments);
    m.merge(c.moments);
    return m.std();
  }
  return stdOf(c);
}

/** W1 (or its bound) in the unit above; finite for every pair of columns. */
function normalised(w: f64, unit: f64): f64 {
  if (!(w == w)) return NaN;
  return unit > 0 ? w / unit : 0;
}

/** Writes the numeric comparison as f64s; see src/core for the field order. */
export function compareNumeric(b: Column, c: Column, out: Writer): void {
  const scale = commonScale(b, c);
  // Both sides clamped to the extremes of both: a bucket that holds the max of one side only
  // would otherwise spread that side's mass over less room than the other's, a false difference.
  const known = !b.noisy && !c.noisy && b.moments.n > 0 && c.moments.n > 0;
  const lo = known ? min(b.moments.min, c.moments.min) : NaN;
  const hi = known ? max(b.moments.max, c.moments.max) : NaN;
  const cb = cellsOf(b, scale, lo, hi);
  const cc = cellsOf(c, scale, lo, hi);
  out.f64(1);
  out.f64(<f64>b.counters.count);
  out.f64(<f64>c.counters.count);
  out.f64(missingRate(b));
  out.f64(missingRate(c));
  out.f64(meanOf(b));
  out.f64(meanOf(c));
  const qs: StaticArray<f64> = [0.5, 0.9, 0.99];
  for (let i = 0; i < qs.length; i++) {
    out.f64(quantileOf(b, qs[i]));
    out.f64(quantileOf(c, qs[i]));
  }
  const ks = ksAndWasserstein(cb, cc);
  // Histograms at one scale, or exact values against anything, are known exactly at common
  // points: D is read there only (never above the exact D), with a bound on what it misses.
  // Cells that share no boundaries (a histogram against a grid, other centers or edges): D stays
  // the interpolated one, off by at most the largest cell share of each side.
  const commensurable = sameCells(b, c);
  const atKnown = commensurable ? ksAtKnownPoints(cb, cc) : interpolatedBound(cb, cc, ks[0]);
  ks[0] = atKnown[0];
  const n = cb.total;
  const m = cc.total;
  const noisy = b.noisy || c.noisy;
  const root = Math.sqrt((n * m) / (n + m));
  if (n > 0 && m > 0) ks[1] = kolmogorovSf(root * ks[0]);
  out.f64(ks[0]);
  out.f64(ks[1]);
  out.f64(ks[2]);
  const unit = unitOf(b, c);
  const wNorm = normalised(ks[2], unit);
  out.f64(wNorm);
  const holding = decileCells(cb);
  const edges = new Array<f64>();
  for (let i = 0; i < holding.length; i++) edges.push(cb.hi[holding[i]]);
  const pb = binProportions(cb, edges);
  const pc = binProportions(cc, edges);
  const stats: StaticArray<f64> = [psi(pb, pc), jsDistance(pb, pc), hellinger(pb, pc)];
  out.f64(stats[0]);
  out.f64(stats[1]);
  out.f64(stats[2]);
  out.f64(cb.total);
  out.f64(cc.total);
  // Noise hides where the outer cells end and how much they hold: no bound then.
  const ksBound = noisy ? NaN : atKnown[1];
  out.f64(ksBound);
  writeNumericQuality(b, c, cc, out);
  const wBound = wassersteinBound(cb, cc, noisy);
  out.f64(wBound);
  // The p-values the exact D can have: D itself is a lower bound on common points, else ± bound.
  const dLo = commensurable ? ks[0] : max(ks[0] - ksBound, 0);
  const dHi = min(ks[0] + ksBound, 1);
  out.f64(n > 0 && m > 0 && ksBound == ksBound ? kolmogorovSf(root * dHi) : NaN);
  out.f64(n > 0 && m > 0 && ksBound == ksBound ? kolmogorovSf(root * dLo) : NaN);
  out.f64(normalised(wBound, unit));
  const bounds: StaticArray<f64> | null = noisy ? null : binnedBounds(cb, cc, holding, stats);
  for (let i = 0; i < 3; i++) out.f64(bounds == null ? NaN : bounds![i]);
  out.f64(zeroShareChange(b, c, cb, cc));
}

/**
 * How far PSI, JS and Hellinger can be from their values on the raw data, in that order. The exact
 * decile cut lies somewhere in the cell holding the decile, (from, hi], and where inside it each
 * side's mass lies is unknown: the CDF of either side at the cut is only known to be between the
 * mass of the cells surely below the cell's start and the mass of the cells that may reach its
 * end. That gives each bin's proportion an interval on each side; every statistic is a sum of
 * per-bin terms that grow as the two proportions move apart, so the sums of the terms' smallest
 * and largest values over those intervals contain the exact statistic. Their widest distance from
 * the sketch's value is the bound: 0 on exact values (point masses sit on known cuts).
 */
function binnedBounds(b: Cells, c: Cells, holding: Array<i32>, stats: StaticArray<f64>): StaticArray<f64> | null {
  if (!(b.total > 0) || !(c.total > 0) || holding.length == 0) return null;
  const bLo = new Array<f64>();
  const bHi = new Array<f64>();
  const cLo = new Array<f64>();
  const cHi = new Array<f64>();
  binIntervals(b, b, holding, bLo, bHi);
  binIntervals(c, b, holding, cLo, cHi);
  const lo: StaticArray<f64> = [0, 0, 0];
  const hi: StaticArray<f64> = [0, 0, 0];
  for (let i = 0; i < bLo.length; i++) {
    // Nearest and farthest pairs of proportions: the terms are 0 where they meet, growing apart.
    let nearB: f64 = 0;
    let nearC: f64 = 0;
    if (bLo[i] > cHi[i]) {
      nearB = bLo[i];
      nearC = cHi[i];
    } else if (cLo[i] > bHi[i]) {
      nearB = bHi[i];
      nearC = cLo[i];
    }
    lo[0] += psiTerm(nearB, nearC);
    lo[1] += jsTerm(nearB, nearC);
    lo[2] += hellingerTerm(nearB, nearC);
    hi[0] += max(psiTerm(bHi[i], cLo[i]), psiTerm(bLo[i], cHi[i]));
    hi[1] += max(jsTerm(bHi[i], cLo[i]), jsTerm(bLo[i], cHi[i]));
    hi[2] += max(hellingerTerm(bHi[i], cLo[i]), hellingerTerm(bLo[i], cHi[i]));
  }
  const range: StaticArray<f64> = [lo[0], hi[0], Math.sqrt(max(lo[1], 0)), Math.sqrt(max(hi[1], 0)), Math.sqrt(0.5 * lo[2]), Math.sqrt(0.5 * hi[2])];
  const out: StaticArray<f64> = [0, 0, 0];
  for (let k = 0; k < 3; k++) out[k] = max(max(stats[k] - range[2 * k], range[2 * k + 1] - stats[k]), 0);
  return out;
}

/**
 * Interval of each of the 10 bins' proportions of `c`, the cuts being somewhere inside the
 * baseline cells `holding` (of `b`): [lower, upper] of the CDF at each cut, then their differences.
 */
function binIntervals(c: Cells, b: Cells, holding: Array<i32>, lo: Array<f64>, hi: Array<f64>): void {
  let prevLo: f64 = 0;
  let prevHi: f64 = 0;
  for (let i = 0; i <= holding.length; i++) {
    let fLo = c.total;
    let fHi = c.total;
    if (i < holding.length) {
      const k = holding[i];
      fLo = surelyAtMost(c, above(b.from[k]));
      fHi = possiblyAtMost(c, b.hi[k]);
    }
    lo.push(max(fLo - prevHi, 0) / c.total);
    hi.push(max(fHi - prevLo, 0) / c.total);
    prevLo = fLo;
    prevHi = fHi;
  }
}

/** Mass of the cells lying entirely at or below x. */
function surelyAtMost(c: Cells, x: f64): f64 {
  let s: f64 = 0;
  for (let i = 0; i < c.n.length; i++) if (c.hi[i] <= x) s += c.n[i];
  return s;
}

/** Mass of the cells that may hold values at or below x (their mass lies in (from, hi]). */
function possiblyAtMost(c: Cells, x: f64): f64 {
  let s: f64 = 0;
  for (let i = 0; i < c.n.length; i++) if (c.from[i] < x) s += c.n[i];
  return s;
}

/** The smallest double above x (finite x). */
function above(x: f64): f64 {
  if (x == 0) return reinterpret<f64>(<u64>1);
  const bits = reinterpret<u64>(x);
  return reinterpret<f64>(x > 0 ? bits + 1 : bits - 1);
}

function psiTerm(p: f64, q: f64): f64 {
  const a = max(p, PSI_FLOOR);
  const b = max(q, PSI_FLOOR);
  return (b - a) * Math.log(b / a);
}

function jsTerm(p: f64, q: f64): f64 {
  const m = 0.5 * (p + q);
  let s: f64 = 0;
  if (p > 0) s += 0.5 * p * Math.log2(p / m);
  if (q > 0) s += 0.5 * q * Math.log2(q / m);
  return s;
}

function hellingerTerm(p: f64, q: f64): f64 {
  const d = Math.sqrt(p) - Math.sqrt(q);
  return d * d;
}

/** Share of a column's present (not missing) rows; NaN when it has none. */
function shareOf(c: Column, k: f64): f64 {
  const present = <f64>(c.counters.count - c.counters.missing);
  return present > 0 ? k / present : NaN;
}

/** Share of present rows that are exactly 0: known from exact values or an uncentred histogram. */
function zeroShare(c: Column): f64 {
  if (c.noisy) return NaN;
  if (c.exact != null) return shareOf(c, <f64>c.exact!.countOf(0));
  if (c.exp != null && c.exp!.center == 0) return shareOf(c, <f64>c.exp!.zero);
  return NaN;
}

/**
 * [lowest, highest] count of exact zeros the cells allow: exact from exact values or an uncentred
 * histogram; else between the mass of the cells that are the point 0 and the mass of the cells
 * that may hold 0 (a grid bin, a centred bucket): exactly 0 when no cell can.
 */
function zeroCountRange(c: Column, cells: Cells): StaticArray<f64> {
  const known = zeroShare(c);
  const present = <f64>(c.counters.count - c.counters.missing);
  if (known == known) return [known * present, known * present];
  let sure: f64 = 0;
  let possible: f64 = 0;
  for (let i = 0; i < cells.n.length; i++) {
    if (!(cells.from[i] < 0 && cells.hi[i] >= 0)) continue;
    possible += cells.n[i];
    // A cell clamped to the point 0 (a grid's bin ending at 0 when the minimum is 0) holds zeros only.
    if (cells.lo[i] == 0 && cells.hi[i] == 0) sure += cells.n[i];
  }
  return [sure, possible];
}

/**
 * Change of the share of exact zeros, current − baseline: the smallest change the two sides'
 * possible zero counts allow, 0 when their ranges overlap. Exact where zeros are counted apart;
 * finite whenever both sides have present rows, so a grid or a centred histogram never gives NaN.
 */
function zeroShareChange(b: Column, c: Column, cb: Cells, cc: Cells): f64 {
  const pb = <f64>(b.counters.count - b.counters.missing);
  const pc = <f64>(c.counters.count - c.counters.missing);
  if (!(pb > 0) || !(pc > 0) || b.noisy || c.noisy) return NaN;
  const rb = zeroCountRange(b, cb);
  const rc = zeroCountRange(c, cc);
  const lo = rc[0] / pc - rb[1] / pb;
  const hi = rc[1] / pc - rb[0] / pb;
  if (lo <= 0 && hi >= 0) return 0;
  return lo > 0 ? lo : hi;
}

/**
 * Data-quality inputs, [baseline, current] pairs: NaN share, +Inf share and −Inf share of present
 * rows; then the share of the current finite values outside the baseline's [min, max]. (The zero
 * share's change comes last, see zeroShareChange.)
 */
function writeNumericQuality(b: Column, c: Column, cc: Cells, out: Writer): void {
  out.f64(shareOf(b, <f64>b.counters.nan));
  out.f64(shareOf(c, <f64>c.counters.nan));
  out.f64(shareOf(b, <f64>b.counters.posInf));
  out.f64(shareOf(c, <f64>c.counters.posInf));
  out.f64(shareOf(b, <f64>b.counters.negInf));
  out.f64(shareOf(c, <f64>c.counters.negInf));
  if (b.noisy || b.moments.n == 0 || !(cc.total > 0)) {
    out.f64(NaN);
    return;
  }
  const at = new Array<f64>();
  at.push(b.moments.min);
  at.push(b.moments.max);
  const right = new Array<f64>();
  const left = new Array<f64>();
  cdfAt(cc, at, right, left);
  out.f64((left[0] + (cc.total - right[1])) / cc.total);
}

/**
 * [D, bound]: D = max |F_a − F_b| over the points where both CDFs are known exactly, so D never
 * exceeds the exact D, and the exact D is at most D + bound. Between two neighbouring known points
 * t1 < t2 the CDFs can differ from their values at t1 by at most the mass each side holds in
 * (t1, t2] (strictly inside, for point masses, whose places are known): bound is the largest such.
 */
function ksAtKnownPoints(a: Cells, b: Cells): StaticArray<f64> {
  const res: StaticArray<f64> = [NaN, NaN];
  if (!(a.total > 0) || !(b.total > 0)) return res;
  const xs = candidates(a, b);
  const ra = new Array<f64>();
  const la = new Array<f64>();
  const rb = new Array<f64>();
  const lb = new Array<f64>();
  cdfAt(a, xs, ra, la);
  cdfAt(b, xs, rb, lb);
  const ka = knownAt(a, xs);
  const kb = knownAt(b, xs);
  const pointsA = onlyPoints(a);
  const pointsB = onlyPoints(b);
  let d: f64 = 0;
  let bound: f64 = 0;
  let last = -1;
  for (let k = 0; k < xs.length; k++) {
    if (!ka[k] || !kb[k]) continue;
    d = max(d, Math.abs(ra[k] / a.total - rb[k] / b.total));
    if (last >= 0) {
      const inA = (pointsA ? la[k] : ra[k]) - ra[last];
      const inB = (pointsB ? lb[k] : rb[k]) - rb[last];
      bound = max(bound, max(inA / a.total, inB / b.total));
    }
    last = k;
  }
  res[0] = d;
  res[1] = bound;
  return res;
}

/** Whether both sides' cells end on common points: exact values, or one kind of cell laid alike. */
function sameCells(b: Column, c: Column): bool {
  if (b.exact != null || c.exact != null) return true;
  if (b.kind != c.kind) return false;
  if (b.exp != null) return centerOf(b.exp!) == centerOf(c.exp!);
  return b.grid!.sameEdges(c.grid!);
}

/** [D, bound] for interpolated CDFs: each is off by at most the largest share one cell holds. */
function interpolatedBound(a: Cells, b: Cells, d: f64): StaticArray<f64> {
  const res: StaticArray<f64> = [d, NaN];
  if (!(a.total > 0) || !(b.total > 0)) return res;
  res[1] = largestShare(a) + largestShare(b);
  return res;
}

function largestShare(c: Cells): f64 {
  let m: f64 = 0;
  for (let i = 0; i < c.n.length; i++) if (c.lo[i] != c.hi[i]) m = max(m, c.n[i]);
  return m / c.total;
}

/** Sorted, distinct, finite cell ends (both kinds) of both sides. */
function candidates(a: Cells, b: Cells): Array<f64> {
  const all = new Array<f64>();
  for (let i = 0; i < a.n.length; i++) {
    all.push(a.from[i]);
    all.push(a.hi[i]);
  }
  for (let i = 0; i < b.n.length; i++) {
    all.push(b.from[i]);
    all.push(b.hi[i]);
  }
  return sortedFinite(all);
}

/** For each ascending x: no cell with mass has x strictly inside (from, hi). */
function knownAt(c: Cells, xs: Array<f64>): Array<bool> {
  const out = new Array<bool>();
  let i = 0;
  const m = c.n.length;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    while (i < m && c.hi[i] <= x) i++;
    let known = true;
    for (let j = i; j < m && c.from[j] < x; j++) {
      if (c.n[j] > 0 && x < c.hi[j]) {
        known = false;
        break;
      }
    }
    out.push(known);
  }
  return out;
}

function onlyPoints(c: Cells): bool {
  for (let i = 0; i < c.n.length; i++) if (c.n[i] > 0 && c.lo[i] != c.hi[i]) return false;
  return true;
}

/**
 * The cells holding the baseline's deciles; each cut is the right end of its cell. Ties then
 * fall on the same side of a cut as in the exact right-closed bins (a value equal to a decile is
 * in the bin below), and for two exponential histograms at a common scale the cuts sit on bucket
 * boundaries of both, where their CDFs are exact.
 */
function decileCells(c: Cells): Array<i32> {
  const cells = new Array<i32>();
  if (!(c.total > 0)) return cells;
  let k = 0;
  let acc: f64 = 0;
  for (let i = 1; i < 10; i++) {
    const rank = Math.floor((<f64>i / 10.0) * (c.total - 1));
    while (k < c.n.length - 1 && acc + c.n[k] <= rank) acc += c.n[k++];
    cells.push(k);
  }
  return cells;
}

/** [D, p-value, W1]. */
function ksAndWasserstein(a: Cells, b: Cells): StaticArray<f64> {
  const res: StaticArray<f64> = [NaN, NaN, NaN];
  if (!(a.total > 0) || !(b.total > 0)) return res;
  const xs = boundaries(a, b);
  const ra = new Array<f64>();
  const la = new Array<f64>();
  const rb = new Array<f64>();
  const lb = new Array<f64>();
  cdfAt(a, xs, ra, la);
  cdfAt(b, xs, rb, lb);
  let d: f64 = 0;
  let w: f64 = 0;
  // Widths scaled by a power of two: ±1.7e308 apart is not a double, subnormal widths lose
  // their digits; scaled, both are near 1, and W1 is scaled back once at the end.
  const s = xs.length > 0 ? scaleFor(max(Math.abs(xs[0]), Math.abs(xs[xs.length - 1]))) : 0;
  for (let k = 0; k < xs.length; k++) {
    // D is read at cell ends (right limits) only: there both CDFs are known, and the exact D of
    // the raw data is attained at data points, which the ends of the cells holding them bound.
    const dr = ra[k] / a.total - rb[k] / b.total;
    if (Math.abs(dr) > d) d = Math.abs(dr);
    // Between two boundaries both CDFs are linear: integrate |F_a − F_b| exactly.
    if (k + 1 < xs.length) {
      const width = xs[k + 1] * s - xs[k] * s;
      const d1 = la[k + 1] / a.total - lb[k + 1] / b.total;
      w += width * absLinearMean(dr, d1);
    }
  }
  const n = a.total;
  const m = b.total;
  res[0] = d;
  res[1] = kolmogorovSf(Math.sqrt((n * m) / (n + m)) * d);
  res[2] = s > 0 ? w / s : 0;
  return res;
}

/**
 * How far W1 can be from the exact W1 of the raw data: inside a cell the true CDF differs from
 * the evenly spread one by at most the cell's share, over the cell's width, on each side. 0 for
 * exact values (point masses); NaN when noise hides where the outer cells end.
 */
function wassersteinBound(a: Cells, b: Cells, noisy: bool): f64 {
  if (noisy || !(a.total > 0) || !(b.total > 0)) return NaN;
  let top: f64 = 0;
  for (let i = 0; i < a.n.length; i++) top = max(top, max(Math.abs(a.lo[i]), Math.abs(a.hi[i])));
  for (let i = 0; i < b.n.length; i++) top = max(top, max(Math.abs(b.lo[i]), Math.abs(b.hi[i])));
  const s = scaleFor(top);
  if (!(s > 0)) return 0;
  let e: f64 = 0;
  for (let i = 0; i < a.n.length; i++) e += (a.n[i] / a.total) * (a.hi[i] * s - a.lo[i] * s);
  for (let i = 0; i < b.n.length; i++) e += (b.n[i] / b.total) * (b.hi[i] * s - b.lo[i] * s);
  return e / s;
}

/** Mean of |d0 + (d1 − d0)·t| over t in [0, 1]. */
function absLinearMean(d0: f64, d1: f64): f64 {
  if ((d0 >= 0 && d1 >= 0) || (d0 <= 0 && d1 <= 0)) return Math.abs(d0 + d1) / 2;
  return (d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/** Sorted, distinct, finite cell boundaries of both sides. */
function boundaries(a: Cells, b: Cells): Array<f64> {
  const all = new Array<f64>();
  for (let i = 0; i < a.n.length; i++) {
    all.push(a.lo[i]);
    all.push(a.hi[i]);
  }
  for (let i = 0; i < b.n.length; i++) {
    all.push(b.lo[i]);
    all.push(b.hi[i]);
  }
  return sortedFinite(all);
}

function sortedFinite(all: Array<f64>): Array<f64> {
  all.sort((x: f64, y: f64): i32 => (x < y ? -1 : x > y ? 1 : 0));
  const out = new Array<f64>();
  for (let i = 0; i < all.length; i++) {
    const x = all[i];
    if (!isFinite(x)) continue;
    if (out.length == 0 || x != out[out.length - 1]) out.push(x);
  }
  return out;
}

function binProportions(c: Cells, edges: Array<f64>): Array<f64> {
  const p = new Array<f64>();
  if (!(c.total > 0)) return p;
  const right = new Array<f64>();
  const left = new Array<f64>();
  cdfAt(c, edges, right, left);
  let prev: f64 = 0;
  for (let i = 0; i < edges.length; i++) {
    const v = right[i] > prev ? right[i] : prev;
    p.push((v - prev) / c.total);
    prev = v;
  }
  p.push((c.total - prev) / c.total);
  return p;
}

export function psi(p: Array<f64>, q: Array<f64>): f64 {
  if (p.length == 0 || q.length == 0) return NaN;
  let s: f64 = 0;
  for (let i = 0; i < p.length; i++) s += psiTerm(p[i], q[i]);
  return s;
}

export function jsDistance(p: Array<f64>, q: Array<f64>): f64 {
  if (p.length == 0 || q.length == 0) return NaN;
  let s: f64 = 0;
  for (let i = 0; i < p.length; i++) s += jsTerm(p[i], q[i]);
  return Math.sqrt(max(s, 0));
}

export function hellinger(p: Array<f64>, q: Array<f64>): f64 {
  if (p.length == 0 || q.length == 0) return NaN;
  let s: f64 = 0;
  for (let i = 0; i < p.length; i++) s += hellingerTerm(p[i], q[i]);
  return Math.sqrt(0.5 * s);
}

/** Writes the categorical comparison as f64s; see src/core for the field order. */
export function compareCategorical(b: Column, c: Column, out: Writer): void {
  const sb = b.cat!;
  const sc = c.cat!;
  // Aligned counts over the union of values. A frequent-items sketch lists counts low by up to
  // its error bound E (an unlisted value has at most E): a value is kept as a cell only when one
  // side counts it at 10·E or more, so no kept cell is off by more than 10%; the rest is one
  // more cell on each side, whose size both sides know exactly.
  const bound = max(errorOf(sb), errorOf(sc));
  const keys = sb.orderedKeys();
  const extra = sc.orderedKeys();
  for (let i = 0; i < extra.length; i++) if (!sb.items.has(extra[i])) keys.push(extra[i]);
  const nb = new Array<f64>();
  const nc = new Array<f64>();
  for (let i = 0; i < keys.length; i++) {
    const x = sb.items.has(keys[i]) ? max(<f64>sb.items.get(keys[i]).count, 0) : 0;
    const y = sc.items.has(keys[i]) ? max(<f64>sc.items.get(keys[i]).count, 0) : 0;
    if (max(x, y) < SKETCH_MARGIN * bound) continue;
    nb.push(x);
    nc.push(y);
  }
  // How far each count may be from the truth: a listed count is low by up to E, the rest is
  // high by up to E per kept cell (it is what the kept cells leave of an exact total).
  const kept = nb.length;
  const eB = errorOf(sb);
  const eC = errorOf(sc);
  const slack = new Array<f64>();
  for (let i = 0; i < kept; i++) slack.push(eB);
  const slackC = new Array<f64>();
  for (let i = 0; i < kept; i++) slackC.push(eC);
  const restB = rest(b, sb, nb);
  const restC = rest(c, sc, nc);
  if (restB > 0 || restC > 0) {
    nb.push(restB);
    nc.push(restC);
    slack.push(-eB * <f64>kept);
    slackC.push(-eC * <f64>kept);
  }
  const tb = sum(nb);
  const tc = sum(nc);
  out.f64(<f64>KIND_CATEGORICAL);
  out.f64(<f64>b.counters.count);
  out.f64(<f64>c.counters.count);
  out.f64(missingRate(b));
  out.f64(missingRate(c));
  chiSquare(nb, nc, slack, slackC, tb, tc, out);
  const pb = new Array<f64>();
  const pc = new Array<f64>();
  let linf: f64 = 0;
  if (tb > 0 && tc > 0) {
    for (let i = 0; i < nb.length; i++) {
      pb.push(nb[i] / tb);
      pc.push(nc[i] / tc);
      linf = max(linf, Math.abs(nb[i] / tb - nc[i] / tc));
    }
  } else {
    linf = NaN;
  }
  out.f64(linf);
  out.f64(jsDistance(pb, pc));
  out.f64(psi(pb, pc));
  out.f64(tb);
  out.f64(tc);
  out.f64(newCategoryShare(b, sb, sc));
}

/**
 * Share of the current values (missing excluded) in categories the baseline never saw: values
 * the baseline does not list when it counts exactly, `__other__` with a vocabulary; NaN when the
 * baseline is a frequent-items sketch (an unlisted value may still have been seen).
 */
function newCategoryShare(b: Column, sb: CategoricalSketch, sc: CategoricalSketch): f64 {
  if (sb.mode == MODE_SKETCH) return NaN;
  const keys = sc.orderedKeys();
  let fresh: f64 = 0;
  let all: f64 = 0;
  for (let i = 0; i < keys.length; i++) {
    const n = max(<f64>sc.items.get(keys[i]).count, 0);
    all += n;
    const isNew = sb.mode == MODE_VOCABULARY ? keys[i] == sb.otherKey : !sb.items.has(keys[i]);
    if (isNew) fresh += n;
  }
  // Unlisted current values (a current sketch) are new or not: unknown, so they count as neither.
  return all > 0 ? fresh / all : NaN;
}

const SKETCH_MARGIN: f64 = 10;

/**
 * The deviation n_b − e_b of one cell, moved as close to 0 as the counts' slack allows (slack
 * s > 0: the true count is up to s higher; s < 0: up to −s lower). From frequent-items counts the
 * chi-square is then the smallest the error bounds allow, so its p-value is never too small.
 */
function smallestDeviation(d: f64, slackB: f64, slackC: f64, tb: f64, tc: f64, total: f64): f64 {
  if (slackB == 0 && slackC == 0) return d;
  const bLo = min(slackB, 0);
  const bHi = max(slackB, 0);
  const cLo = min(slackC, 0);
  const cHi = max(slackC, 0);
  const lo = d + (tc * bLo - tb * cHi) / total;
  const hi = d + (tc * bHi - tb * cLo) / total;
  if (lo <= 0 && hi >= 0) return 0;
  return lo > 0 ? lo : hi;
}

function errorOf(s: CategoricalSketch): f64 {
  return s.mode == MODE_SKETCH ? <f64>s.errorBound : 0;
}

/** What the kept cells do not hold: the column's values (missing excluded) minus their sum. */
function rest(c: Column, s: CategoricalSketch, kept: Array<f64>): f64 {
  const seen = c.noisy ? max(<f64>s.total(), 0) : <f64>(c.counters.count - c.counters.missing);
  const r = seen - sum(kept);
  return r > 0.5 ? r : 0;
}

function sum(a: Array<f64>): f64 {
  let s: f64 = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * Chi-square test of homogeneity on the table with its sparse cells pooled (Cochran's rule):
 * cells whose expected count on the smaller side is below 5 form one cell, which joins the
 * smallest other cell if it is still below 5. Without this, thousands of near-empty categories
 * make the asymptotic p-value far too small on random splits.
 */
function chiSquare(nb0: Array<f64>, nc0: Array<f64>, sb0: Array<f64>, sc0: Array<f64>, tb: f64, tc: f64, out: Writer): void {
  const total = tb + tc;
  const nb = new Array<f64>();
  const nc = new Array<f64>();
  const sb = new Array<f64>();
  const sc = new Array<f64>();
  const small = min(tb, tc);
  let pb: f64 = 0;
  let pc: f64 = 0;
  let qb: f64 = 0;
  let qc: f64 = 0;
  for (let i = 0; i < nb0.length; i++) {
    const col = nb0[i] + nc0[i];
    if (col <= 0) continue;
    if (total > 0 && (col * small) / total < MIN_EXPECTED) {
      pb += nb0[i];
      pc += nc0[i];
      qb += sb0[i];
      qc += sc0[i];
    } else {
      nb.push(nb0[i]);
      nc.push(nc0[i]);
      sb.push(sb0[i]);
      sc.push(sc0[i]);
    }
  }
  if (pb + pc > 0) {
    if (((pb + pc) * small) / total < MIN_EXPECTED && nb.length > 0) {
      let j = 0;
      for (let i = 1; i < nb.length; i++) if (nb[i] + nc[i] < nb[j] + nc[j]) j = i;
      nb[j] += pb;
      nc[j] += pc;
      sb[j] += qb;
      sc[j] += qc;
    } else {
      nb.push(pb);
      nc.push(pc);
      sb.push(qb);
      sc.push(qc);
    }
  }
  let stat: f64 = 0;
  let k = 0;
  if (tb > 0 && tc > 0) {
    for (let i = 0; i < nb.length; i++) {
      const col = nb[i] + nc[i];
      if (col <= 0) continue;
      k++;
      const eb = (tb * col) / total;
      const ec = (tc * col) / total;
      const d = smallestDeviation((tc * nb[i] - tb * nc[i]) / total, sb[i], sc[i], tb, tc, total);
      stat += (d * d) / eb + (d * d) / ec;
    }
  }
  const dof = k > 1 ? k - 1 : 0;
  out.f64(k > 1 ? stat : 0);
  out.f64(k > 1 ? chi2Sf(stat, <f64>dof) : 1);
  out.f64(<f64>dof);
}
