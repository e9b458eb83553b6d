// One named column of a profile and the batch loops that record into it. Values are read
// straight from wasm memory (a whole array per call); no value crosses the JS boundary alone.
import { Counters, Moments, scaleFor } from './moments';
import { ExpHistogram, chooseCenter } from './exphist';
import { index8, MAX_SCALE } from './bucket_index';
import { FixedGrid, binOf } from './grid';
import { CategoricalSketch } from './categorical';
import { ExactValues, addValues } from './exact_values';

export const KIND_NUMERIC: u8 = 1;
export const KIND_GRID: u8 = 2;
export const KIND_CATEGORICAL: u8 = 3;

export class Column {
  counters: Counters = new Counters();
  moments: Moments = new Moments();
  exp: ExpHistogram | null = null;
  grid: FixedGrid | null = null;
  cat: CategoricalSketch | null = null;
  /** Numeric columns with few distinct values: those values and their counts (else null). */
  exact: ExactValues | null = null;
  /** Counts were perturbed by privacy noise: totals need not add up, moments were dropped. */
  noisy: bool = false;

  constructor(public name: StaticArray<u8>, public kind: u8) {}

  isNumeric(): bool {
    return this.kind != KIND_CATEGORICAL;
  }
}

// @ts-ignore: decorator
@inline
function isFiniteBits(x: f64): bool {
  return (reinterpret<u64>(x) & 0x7ff0000000000000) != 0x7ff0000000000000;
}

/**
 * Records `n` numeric values of type T found at ptr, ptr+stride, … into a numeric or grid column,
 * in one pass. The batch's spread comes from sums of (x − K) and (x − K)² with K its first finite
 * value (the shifted-data method: no division per value, no cancellation while K is near the
 * data), and the batch merges into the running moments with one exact Chan step. When the batch
 * spans more than 2^±450 those squares could overflow or underflow, and a second pass sums them
 * scaled by a power of two instead.
 */
export function recordNumeric<T>(col: Column, ptr: usize, stride: usize, n: i32): void {
  if (col.exp != null && col.exp!.center != col.exp!.center) pickCenter<T>(col.exp!, ptr, stride, n);
  const shift = firstFinite<T>(ptr, stride, n);
  const b = col.exp != null ? recordExp<T>(col.exp!, ptr, stride, n, shift) : recordGrid<T>(col.grid!, ptr, stride, n, shift);
  if (col.exact != null && !addValues<T>(col.exact!, ptr, stride, n)) col.exact = null;
  const c = col.counters;
  c.count += <i64>n;
  c.nan += b.nan;
  c.posInf += b.posInf;
  c.negInf += b.negInf;
  if (b.finite == 0) return;
  const fn = <f64>b.finite;
  const span = 0.5 * b.max - 0.5 * b.min;
  if (span == 0 || (span > SAFE_LOW && span < SAFE_HIGH)) {
    const mean = shift + b.s1 / fn;
    const sd = Math.sqrt(max(b.s2 / fn - (b.s1 / fn) * (b.s1 / fn), 0));
    col.moments.combine(b.finite, b.sum, mean, sd, b.min, b.max);
    return;
  }
  const s = scaleFor(span);
  scaledSums<T>(b, ptr, stride, n, shift, s);
  const m1 = b.s1 / fn;
  const mean = (shift * s + m1) / s;
  const sd = Math.sqrt(max(b.s2 / fn - m1 * m1, 0)) / s;
  col.moments.combine(b.finite, b.sum, clampTo(mean, b.min, b.max), sd, b.min, b.max);
}

const SAFE_LOW: f64 = reinterpret<f64>(<u64>(1023 - 450) << 52);
const SAFE_HIGH: f64 = reinterpret<f64>(<u64>(1023 + 450) << 52);

function clampTo(x: f64, lo: f64, hi: f64): f64 {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Σ(x·s − K·s) and its squares over the finite values: every term near 1 whatever the data. */
function scaledSums<T>(b: Batch, ptr: usize, stride: usize, n: i32, shift: f64, s: f64): void {
  const k = shift * s;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (!isFiniteBits(x)) continue;
    const d = x * s - k;
    s1 += d;
    s2 += d * d;
  }
  b.s1 = s1;
  b.s2 = s2;
}

const SMALL: f64 = 1.0 / 65536.0; // scaled: a mean of values near 1.7e308 does not overflow
const LARGE: f64 = 65536.0;

/** An automatic center comes from the first batch holding finite values (two plain passes). */
function pickCenter<T>(h: ExpHistogram, ptr: usize, stride: usize, n: i32): void {
  let k: i64 = 0;
  let s: f64 = 0;
  let p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (!isFiniteBits(x)) continue;
    k++;
    s += x * SMALL;
  }
  if (k == 0) return;
  const mean = (s / <f64>k) * LARGE;
  let s2: f64 = 0;
  p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (!isFiniteBits(x)) continue;
    const d = x * SMALL - mean * SMALL;
    s2 += d * d;
  }
  h.center = chooseCenter(mean, Math.sqrt(s2 / <f64>k) * LARGE);
}

// @ts-ignore: decorator
@inline
function clampFinite(v: f64): f64 {
  return isFiniteBits(v) ? v : v > 0 ? F64.MAX_VALUE : -F64.MAX_VALUE;
}

function firstFinite<T>(ptr: usize, stride: usize, n: i32): f64 {
  let p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (isFiniteBits(x)) return x;
  }
  return 0;
}

/** What one pass over a batch found besides the buckets. */
class Batch {
  finite: i64 = 0;
  sum: f64 = 0;
  s1: f64 = 0;
  s2: f64 = 0;
  min: f64 = Infinity;
  max: f64 = -Infinity;
  nan: i64 = 0;
  posInf: i64 = 0;
  negInf: i64 = 0;

  // @ts-ignore: decorator
  @inline
  special(x: f64): void {
    if (x != x) this.nan++;
    else if (x > 0) this.posInf++;
    else this.negInf++;
  }
}

/**
 * The hot loop. Bucket storage is addressed through raw pointers held in locals, so the loop does
 * no managed-reference bookkeeping; only a value outside the current runs takes the slow path
 * (which may grow or downscale them), after which the locals are reloaded.
 */
function recordExp<T>(h: ExpHistogram, ptr: usize, stride: usize, n: i32, shift0: f64): Batch {
  const out = new Batch();
  let finite: i64 = 0;
  let sum: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let lo: f64 = Infinity;
  let hi: f64 = -Infinity;
  let zero: i64 = 0;
  let shift = MAX_SCALE - h.scale;
  let posLo = h.pos.lo;
  let posLen = <u32>h.pos.len;
  let posData = h.pos.len > 0 ? changetype<usize>(h.pos.counts) : 0;
  let negLo = h.neg.lo;
  let negLen = <u32>h.neg.len;
  let negData = h.neg.len > 0 ? changetype<usize>(h.neg.counts) : 0;
  const center = h.center;
  let p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (!isFiniteBits(x)) {
      out.special(x);
      continue;
    }
    finite++;
    sum += x;
    const d = x - shift0;
    s1 += d;
    s2 += d * d;
    lo = min(lo, x);
    hi = max(hi, x);
    // Far from the center (1.7e308 against −1.7e308) the difference is clamped, not infinite.
    const v = clampFinite(x - center);
    if (v == 0) {
      zero++;
      continue;
    }
    // The sign picks the run without a branch: signs of real data are unpredictable.
    const negative = v < 0;
    const index = index8(Math.abs(v)) >> shift;
    const k = <u32>(index - select<i32>(negLo, posLo, negative));
    if (k < select<u32>(negLen, posLen, negative)) {
      const at = select<usize>(negData, posData, negative) + (<usize>k << 3);
      store<i64>(at, load<i64>(at) + 1);
      continue;
    }
    h.insert(negative ? h.neg : h.pos, index, 1);
    shift = MAX_SCALE - h.scale;
    posLo = h.pos.lo;
    posLen = <u32>h.pos.len;
    posData = h.pos.len > 0 ? changetype<usize>(h.pos.counts) : 0;
    negLo = h.neg.lo;
    negLen = <u32>h.neg.len;
    negData = h.neg.len > 0 ? changetype<usize>(h.neg.counts) : 0;
  }
  h.zero += zero;
  out.finite = finite;
  out.sum = sum;
  out.s1 = s1;
  out.s2 = s2;
  out.min = lo;
  out.max = hi;
  return out;
}

function recordGrid<T>(g: FixedGrid, ptr: usize, stride: usize, n: i32, shift0: f64): Batch {
  const out = new Batch();
  let finite: i64 = 0;
  let sum: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let lo: f64 = Infinity;
  let hi: f64 = -Infinity;
  // Raw pointers in locals: no managed-reference bookkeeping inside the loop.
  const edges = changetype<usize>(g.edges);
  const nEdges = g.edges.length;
  const counts = changetype<usize>(g.counts);
  let p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (!isFiniteBits(x)) {
      out.special(x);
      continue;
    }
    finite++;
    sum += x;
    const d = x - shift0;
    s1 += d;
    s2 += d * d;
    lo = min(lo, x);
    hi = max(hi, x);
    const at = counts + (<usize>binOf(edges, nEdges, x) << 3);
    store<i64>(at, load<i64>(at) + 1);
  }
  out.finite = finite;
  out.sum = sum;
  out.s1 = s1;
  out.s2 = s2;
  out.min = lo;
  out.max = hi;
  return out;
}

/** Records `n` labels: UTF-8 bytes at bytes[offsets[i] .. offsets[i+1]). */
export function recordLabels(col: Column, bytes: usize, offsets: usize, n: i32): void {
  const cat = col.cat!;
  for (let i = 0; i < n; i++) {
    const a = load<u32>(offsets + (<usize>i << 2));
    const b = load<u32>(offsets + (<usize>(i + 1) << 2));
    cat.add(bytes + a, <i32>(b - a));
  }
  col.counters.count += <i64>n;
}

export function recordMissing(col: Column, k: i64): void {
  col.counters.count += k;
  col.counters.missing += k;
}
