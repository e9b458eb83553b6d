// Base-2 exponential histogram in the OpenTelemetry / Prometheus native-histogram layout:
// bucket i at scale s covers (2^(i·2^-s), 2^((i+1)·2^-s)] for |x|; positive and negative values
// have a run of buckets each, exact zeros their own count. When a run would outgrow the bucket
// budget the whole histogram downscales (two neighbouring buckets become one), as OTel does.
import { bucketIndex, MIN_SCALE, MAX_SCALE } from './bucket_index';
import { scaleFor } from './moments';

export const DEFAULT_SCALE: i32 = 5;
export const DEFAULT_MAX_BUCKETS: i32 = 1024;
export const MAX_BUCKET_BUDGET: i32 = 16384;

/** A contiguous run of bucket counts: counts[k] is bucket lo + k. Storage comes on first use. */
export class BucketRun {
  counts: StaticArray<i64> | null = null;
  lo: i32 = 0;
  len: i32 = 0;

  constructor(public cap: i32) {}

  get hi(): i32 {
    return this.lo + this.len - 1;
  }

  get(index: i32): i64 {
    const k = index - this.lo;
    if (k < 0 || k >= this.len) return 0;
    return unchecked(this.counts![k]);
  }

  /** Smallest extra downscale after which `index` fits next to what the run holds. */
  shiftToFit(index: i32): i32 {
    if (this.len == 0) return 0;
    let lo = this.lo;
    let hi = this.hi;
    if (index < lo) lo = index;
    if (index > hi) hi = index;
    let d = 0;
    while ((hi >> d) - (lo >> d) + 1 > this.cap) d++;
    return d;
  }

  /** Storage for at least `n` buckets: grows by doubling up to the budget, so small runs stay small. */
  reserve(n: i32): StaticArray<i64> {
    const old = this.counts;
    if (old != null && old.length >= n) return old;
    let size = old == null ? 16 : old.length * 2;
    if (size < n) size = n;
    if (size > this.cap) size = this.cap;
    const next = new StaticArray<i64>(size);
    if (old != null) memory.copy(changetype<usize>(next), changetype<usize>(old), <usize>this.len << 3);
    this.counts = next;
    return next;
  }

  /** Adds `by` to bucket `index`, which must fit (see shiftToFit). */
  add(index: i32, by: i64): void {
    const span = this.len == 0 ? 1 : max(this.hi, index) - min(this.lo, index) + 1;
    const counts = this.reserve(span);
    if (this.len == 0) {
      this.lo = index;
      this.len = 1;
      unchecked((counts[0] = by));
      return;
    }
    if (index < this.lo) {
      const gap = this.lo - index;
      const base = changetype<usize>(counts);
      memory.copy(base + (<usize>gap << 3), base, <usize>this.len << 3);
      memory.fill(base, 0, <usize>gap << 3);
      this.lo = index;
      this.len += gap;
    } else if (index > this.hi) {
      this.len = index - this.lo + 1;
    }
    const k = index - this.lo;
    unchecked((counts[k] = counts[k] + by));
  }

  /** Merges 2^d neighbouring buckets into one: bucket i becomes i >> d. */
  downscale(d: i32): void {
    if (d == 0 || this.len == 0) return;
    const counts = this.counts!;
    const newLo = this.lo >> d;
    for (let k = 0; k < this.len; k++) {
      const v = unchecked(counts[k]);
      unchecked((counts[k] = 0));
      const nk = ((this.lo + k) >> d) - newLo;
      unchecked((counts[nk] = counts[nk] + v));
    }
    this.len = (this.hi >> d) - newLo + 1;
    this.lo = newLo;
  }

  total(): i64 {
    let t: i64 = 0;
    for (let k = 0; k < this.len; k++) t += unchecked(this.counts![k]);
    return t;
  }
}

export class ExpHistogram {
  zero: i64 = 0;
  pos: BucketRun;
  neg: BucketRun;
  /**
   * Buckets hold x − center. A relative-error histogram resolves 1000 + N(0,1) into a handful of
   * buckets; centred near the data it resolves the deviations instead, whatever the offset, so
   * statistics do not change under x → a·x + b. NaN until chosen from the first values (auto).
   */
  center: f64 = 0;

  constructor(public scale: i32, public maxBuckets: i32) {
    this.pos = new BucketRun(maxBuckets);
    this.neg = new BucketRun(maxBuckets);
  }

  /** Records one finite, non-zero value's magnitude into the run for its sign. */
  // @ts-ignore: decorator
  @inline
  recordNonZero(x: f64): void {
    const run = x > 0 ? this.pos : this.neg;
    const index = bucketIndex(Math.abs(x), this.scale);
    const k = index - run.lo;
    if (<u32>k < <u32>run.len) {
      const counts = run.counts!;
      unchecked((counts[k] = counts[k] + 1));
    } else {
      this.insert(run, index, 1);
    }
  }

  /** Adds `by` values whose deviation from the center is d (x − center, clamped when infinite). */
  addDeviation(d: f64, by: i64): void {
    const v = isFinite(d) ? d : d > 0 ? F64.MAX_VALUE : -F64.MAX_VALUE;
    if (v == 0) this.zero += by;
    else this.insert(v > 0 ? this.pos : this.neg, bucketIndex(Math.abs(v), this.scale), by);
  }

  /** Slow path: grows the run, downscaling first if the budget demands it. */
  insert(run: BucketRun, index: i32, by: i64): void {
    const d = run.shiftToFit(index);
    if (d > 0) {
      this.downscale(d);
      index >>= d;
    }
    run.add(index, by);
  }

  downscale(d: i32): void {
    if (this.scale - d < MIN_SCALE) d = this.scale - MIN_SCALE;
    this.pos.downscale(d);
    this.neg.downscale(d);
    this.scale -= d;
  }

  /**
   * Adds another histogram's buckets. The result has the largest scale, no finer than either
   * input, at which both runs fit the budget — the same whatever the order of merges.
   */
  merge(o: ExpHistogram): void {
    if (this.center != this.center) this.center = o.center;
    let target = min(this.scale, o.scale);
    target -= max(
      extraShift(this.pos, this.scale, o.pos, o.scale, target, this.maxBuckets),
      extraShift(this.neg, this.scale, o.neg, o.scale, target, this.maxBuckets),
    );
    if (target < MIN_SCALE) target = MIN_SCALE;
    this.downscale(this.scale - target);
    const shift = o.scale - target;
    addRun(this.pos, o.pos, shift);
    addRun(this.neg, o.neg, shift);
    this.zero += o.zero;
  }

  finiteCount(): i64 {
    return this.zero + this.pos.total() + this.neg.total();
  }
}

function extraShift(a: BucketRun, sa: i32, b: BucketRun, sb: i32, target: i32, cap: i32): i32 {
  let have = false;
  let lo: i32 = 0;
  let hi: i32 = 0;
  if (a.len > 0) {
    lo = a.lo >> (sa - target);
    hi = a.hi >> (sa - target);
    have = true;
  }
  if (b.len > 0) {
    const blo = b.lo >> (sb - target);
    const bhi = b.hi >> (sb - target);
    lo = have ? min(lo, blo) : blo;
    hi = have ? max(hi, bhi) : bhi;
    have = true;
  }
  if (!have) return 0;
  let d = 0;
  while ((hi >> d) - (lo >> d) + 1 > cap) d++;
  return d;
}

function addRun(into: BucketRun, from: BucketRun, shift: i32): void {
  for (let k = 0; k < from.len; k++) {
    const v = unchecked(from.counts![k]);
    if (v != 0) into.add((from.lo + k) >> shift, v);
  }
}

/**
 * The center a column takes from its first values (mean and population sd of them): the mean,
 * rounded to a multiple of the power of two just below sd, when the values sit farther than 4 sd
 * from zero; else 0 (a relative-error histogram resolves such data already).
 */
export function chooseCenter(mean: f64, sd: f64): f64 {
  if (!isFinite(mean) || !(Math.abs(mean) > 4 * sd)) return 0;
  if (!(sd > 0)) return mean;
  const unit = 1 / scaleFor(sd);
  const c = Math.round(mean / unit) * unit;
  return isFinite(c) ? c + 0.0 : mean;
}

export function validScale(scale: i32): bool {
  return scale >= MIN_SCALE && scale <= MAX_SCALE;
}
