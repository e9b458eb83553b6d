// A numeric column seen as ordered cells of mass: the common ground on which quantiles and every
// numeric drift statistic are computed, whether the column is an exponential histogram or a
// fixed grid. A cell [lo, hi] with lo < hi spreads its mass evenly; lo == hi is a point mass.
// Where inside a cell its mass lies is unknown: the CDF is known exactly at or below `from` (no
// mass of the cell counted) and at or above `hi` (all of it), and only interpolated between.
import { Column } from './column';
import { ExpHistogram, BucketRun } from './exphist';
import { lowerBound } from './bucket_index';
import { ExactValues } from './exact_values';

export class Cells {
  lo: Array<f64> = new Array<f64>();
  hi: Array<f64> = new Array<f64>();
  n: Array<f64> = new Array<f64>();
  from: Array<f64> = new Array<f64>();
  total: f64 = 0;

  /** `from` defaults to lo: right-closed cells (lo, hi] hold no mass at lo. */
  push(lo: f64, hi: f64, n: f64, from: f64 = NaN): void {
    // Noise can leave a cell below zero; a distribution has no negative mass.
    if (n < 0) n = 0;
    this.from.push(from == from ? from : lo);
    this.lo.push(lo);
    this.hi.push(hi);
    this.n.push(n);
    this.total += n;
  }
}

/**
 * Cells of a numeric column; exponential histograms are viewed at `scale` (<= their own). Cells
 * are clamped to [lo, hi], by default the column's exact extremes.
 */
export function cellsOf(c: Column, scale: i32, lo: f64 = NaN, hi: f64 = NaN): Cells {
  const out = new Cells();
  const exact = !c.noisy && c.moments.n > 0;
  if (!(lo == lo)) lo = exact ? c.moments.min : -Infinity;
  if (!(hi == hi)) hi = exact ? c.moments.max : Infinity;
  if (c.exact != null && !c.noisy) {
    pushValues(out, c.exact!);
    return out;
  }
  if (c.exp != null) {
    const h = c.exp!;
    const shift = h.scale - scale;
    const center = centerOf(h);
    pushRun(out, h.neg, shift, scale, true, lo, hi, center);
    if (h.zero != 0) out.push(center, center, <f64>h.zero, below(center));
    pushRun(out, h.pos, shift, scale, false, lo, hi, center);
    return out;
  }
  const g = c.grid!;
  const e = g.edges;
  const last = e.length - 1;
  // Under- and overflow reach to the observed extremes when known, else they sit on the edge.
  out.push(exact && lo < e[0] ? lo : e[0], e[0], <f64>g.counts[0], exact ? below(min(lo, e[0])) : -Infinity);
  for (let i = 1; i <= last; i++) out.push(e[i - 1], e[i], <f64>g.counts[i]);
  out.push(e[last], exact && hi > e[last] ? hi : e[last], <f64>g.counts[last + 1]);
  return out;
}

/** Every distinct value a point mass of its count. */
function pushValues(out: Cells, e: ExactValues): void {
  const values = new Array<f64>();
  const counts = new Array<i64>();
  e.sorted(values, counts);
  for (let i = 0; i < values.length; i++) out.push(values[i], values[i], <f64>counts[i], below(values[i]));
}

/** The largest double below x (finite x): a cell that may hold x is known only below it. */
export function below(x: f64): f64 {
  if (x == 0) return -reinterpret<f64>(<u64>1);
  const bits = reinterpret<u64>(x);
  return reinterpret<f64>(x > 0 ? bits - 1 : bits + 1);
}

/** The center buckets are relative to; 0 while an automatic one is still to be chosen. */
export function centerOf(h: ExpHistogram): f64 {
  return h.center == h.center ? h.center : 0;
}

function pushRun(out: Cells, run: BucketRun, shift: i32, scale: i32, negative: bool, lo: f64, hi: f64, center: f64): void {
  if (run.len == 0) return;
  const a = run.lo >> shift;
  const b = run.hi >> shift;
  const n = b - a + 1;
  const mass = new StaticArray<f64>(n);
  for (let k = 0; k < run.len; k++) {
    const t = ((run.lo + k) >> shift) - a;
    unchecked((mass[t] = mass[t] + <f64>run.counts![k]));
  }
  // Ascending value order: the most negative bucket (highest index) first.
  for (let j = 0; j < n; j++) {
    const t = negative ? n - 1 - j : j;
    const index = a + t;
    let l = lowerBound(index, scale);
    let u = lowerBound(index + 1, scale);
    // Positive buckets are (l, u]; negative ones [l, u), that is [l, below(u)] in doubles, so
    // their lower end may hold mass and their upper end does not.
    let from = l + center;
    if (negative) {
      const tmp = l;
      l = center - u;
      u = below(center - tmp);
      from = below(l);
    } else {
      l += center;
      u += center;
    }
    // The extremes are exact: no mass lies outside [min, max], and min itself may hold some.
    if (l < lo) {
      l = min(lo, u);
      from = below(l);
    }
    if (u > hi) u = max(hi, l);
    out.push(l, u, unchecked(mass[t]), from);
  }
}

/** The common scale two exponential histograms are compared at (grids ignore it). */
export function commonScale(a: Column, b: Column): i32 {
  // Exact values and grids have no scale: they take the other side's.
  const sa = a.exp != null && a.exact == null ? a.exp!.scale : 8;
  const sb = b.exp != null && b.exact == null ? b.exp!.scale : 8;
  return min(sa, sb);
}

/**
 * Mass at or below each of the ascending points `xs` (right limits), and strictly below (left
 * limits): point masses make the two differ.
 */
export function cdfAt(c: Cells, xs: Array<f64>, right: Array<f64>, left: Array<f64>): void {
  let i = 0;
  let accLe: f64 = 0; // cells entirely <= x
  let j = 0;
  let accLt: f64 = 0; // cells entirely < x
  const m = c.n.length;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    while (i < m && c.hi[i] <= x) accLe += c.n[i++];
    while (j < m && c.hi[j] < x) accLt += c.n[j++];
    right.push(accLe + partial(c, i, x));
    left.push(accLt + partial(c, j, x));
  }
}

function partial(c: Cells, i: i32, x: f64): f64 {
  if (i >= c.n.length) return 0;
  const lo = c.lo[i];
  const hi = c.hi[i];
  if (!(x > lo) || !(hi > lo)) return 0;
  if (x >= hi) return c.n[i];
  // The share first: mass × width could overflow near the largest double.
  return c.n[i] * ((x - lo) / (hi - lo));
}

/** Value at rank floor(q·(n-1)) (0-based, lower) of the column's finite values. */
export function quantileOf(col: Column, q: f64): f64 {
  if (col.exp != null && (col.exact == null || col.noisy)) return expQuantile(col, col.exp!, q);
  const c = cellsOf(col, 8);
  const n = c.total;
  if (n <= 0) return NaN;
  const rank = Math.floor(clampQ(q) * (n - 1));
  let acc: f64 = 0;
  for (let i = 0; i < c.n.length; i++) {
    const m = c.n[i];
    if (m > 0 && acc + m > rank) {
      const f = (rank - acc + 0.5) / m;
      return c.lo[i] + (c.hi[i] - c.lo[i]) * f;
    }
    acc += m;
  }
  return c.hi[c.n.length - 1];
}

function clampQ(q: f64): f64 {
  return q < 0 ? 0 : q > 1 ? 1 : q;
}

/**
 * Bucket holding the rank, read at the point that minimises the worst relative error,
 * 2·L·U / (L + U), then clamped to the exact extremes.
 */
function expQuantile(col: Column, h: ExpHistogram, q: f64): f64 {
  const n = h.finiteCount();
  if (n <= 0) return NaN;
  const rank = <i64>Math.floor(clampQ(q) * <f64>(n - 1));
  let acc: i64 = 0;
  let v: f64 = NaN;
  const neg = h.neg;
  for (let k = neg.len - 1; k >= 0 && v != v; k--) {
    acc += neg.counts![k];
    if (acc > rank) v = centerOf(h) - representative(neg.lo + k, h.scale);
  }
  if (v != v) {
    acc += h.zero;
    if (acc > rank) v = centerOf(h);
  }
  const pos = h.pos;
  for (let k = 0; k < pos.len && v != v; k++) {
    acc += pos.counts![k];
    if (acc > rank) v = centerOf(h) + representative(pos.lo + k, h.scale);
  }
  if (!col.noisy && col.moments.n > 0) {
    if (v < col.moments.min) v = col.moments.min;
    if (v > col.moments.max) v = col.moments.max;
  }
  return v;
}

function representative(index: i32, scale: i32): f64 {
  const l = lowerBound(index, scale);
  const u = lowerBound(index + 1, scale);
  return l * (2.0 / (1.0 + l / u)); // 2LU/(L+U) without overflowing
}
