// One named column of a profile and the batch loops that record into it. Values are read
// straight from wasm memory (a whole array per call); no value crosses the JS boundary alone.
import { Counters, Moments } from './moments';
import { ExpHistogram } from './exphist';
import { FixedGrid } from './grid';
import { CategoricalSketch } from './categorical';

export const KIND_NUMERIC: u8 = 1;
export const KIND_GRID: u8 = 2;
export const KIND_CATEGORICAL: u8 = 3;

export class Column {
  counters: Counters = new Counters();
  moments: Moments = new Moments();
  exp: ExpHistogram | null = null;
  grid: FixedGrid | null = null;
  cat: CategoricalSketch | null = null;
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
 * Records `n` numeric values of type T found at ptr, ptr+stride, … into a numeric or grid column.
 * Two passes: buckets, counters, sum and extremes; then M2 around the batch mean, so the batch
 * merges into the running moments with one exact Chan step (and no division per value).
 */
export function recordNumeric<T>(col: Column, ptr: usize, stride: usize, n: i32): void {
  let finite: i64 = 0;
  let sum: f64 = 0;
  let lo: f64 = Infinity;
  let hi: f64 = -Infinity;
  let nan: i64 = 0;
  let pinf: i64 = 0;
  let ninf: i64 = 0;
  const exp = col.exp;
  const grid = col.grid;
  let p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (isFiniteBits(x)) {
      finite++;
      sum += x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (exp != null) {
        if (x == 0) exp.zero++;
        else exp.recordNonZero(x);
      } else {
        grid!.record(x);
      }
    } else if (x != x) {
      nan++;
    } else if (x > 0) {
      pinf++;
    } else {
      ninf++;
    }
  }
  const c = col.counters;
  c.count += <i64>n;
  c.nan += nan;
  c.posInf += pinf;
  c.negInf += ninf;
  if (finite == 0) return;
  const mean = sum / <f64>finite;
  let m2: f64 = 0;
  p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    if (isFiniteBits(x)) {
      const d = x - mean;
      m2 += d * d;
    }
  }
  col.moments.combine(finite, sum, mean, m2, lo, hi);
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
