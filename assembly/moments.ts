// Count, sum, mean, spread, min and max of the finite values of a column, merged with Chan et
// al.'s pairwise update. The spread is kept as the population standard deviation, not as M2: M2
// of values near 1e300 is not a double, their deviation is. Every step that squares is done on
// values scaled by a power of two chosen from their magnitude, so neither 1.7e308 nor a subnormal
// overflows or underflows on the way (scaled accumulation). The merge is written symmetrically so
// merge(a, b) and merge(b, a) give the same bits, and recording a batch goes through the very
// same merge, so a profile of A then B equals merge(profile(A), profile(B)) to the bit.
export class Moments {
  n: i64 = 0;
  sum: f64 = 0;
  mean: f64 = 0;
  /** Population standard deviation, sqrt(M2 / n). */
  sd: f64 = 0;
  min: f64 = Infinity;
  max: f64 = -Infinity;

  merge(o: Moments): void {
    this.combine(o.n, o.sum, o.mean, o.sd, o.min, o.max);
  }

  combine(nb: i64, sumb: f64, meanb: f64, sdb: f64, minb: f64, maxb: f64): void {
    if (nb == 0) return;
    const na = this.n;
    if (na == 0) {
      this.n = nb;
      this.sum = sumb;
      this.mean = meanb;
      this.sd = sdb;
      this.min = minb;
      this.max = maxb;
      return;
    }
    const n = na + nb;
    const wa = <f64>na / <f64>n;
    const wb = <f64>nb / <f64>n;
    // Halves: the difference of two means of opposite sign near the largest double is finite.
    const halfDelta = 0.5 * meanb - 0.5 * this.mean;
    const s = scaleFor(max(max(this.sd, sdb), Math.abs(halfDelta)));
    const a = this.sd * s;
    const b = sdb * s;
    const d = 2 * (halfDelta * s);
    // Weighted as mean·(n_i/n) so huge values do not overflow on the way to a finite mean.
    this.mean = this.mean * wa + meanb * wb;
    this.sd = s > 0 ? Math.sqrt(wa * a * a + wb * b * b + wa * wb * d * d) / s : 0;
    this.sum = this.sum + sumb;
    this.n = n;
    // f64.min/max order −0 below +0, so the extremes do not depend on which side came first.
    this.min = min(this.min, minb);
    this.max = max(this.max, maxb);
  }

  /** Sample variance (n − 1); overflows to Infinity only when the true value is above 1.8e308. */
  variance(): f64 {
    return this.n < 2 ? NaN : this.std() * this.std();
  }

  /** Sample standard deviation (n − 1): finite for every column of finite values. */
  std(): f64 {
    if (this.n < 2) return NaN;
    return this.sd * Math.sqrt(<f64>this.n / <f64>(this.n - 1));
  }

  copyFrom(o: Moments): void {
    this.n = o.n;
    this.sum = o.sum;
    this.mean = o.mean;
    this.sd = o.sd;
    this.min = o.min;
    this.max = o.max;
  }

  /** Forget everything but the count: the private mode uploads no exact moments or extremes. */
  strip(): void {
    this.sum = 0;
    this.mean = 0;
    this.sd = 0;
    this.min = NaN;
    this.max = NaN;
  }
}

/**
 * A power of two s with m·s near 1, so squares of values up to a few times m neither overflow
 * nor lose their digits to underflow; 0 when m is 0 (nothing to scale). Clamped so that s itself
 * is a normal double: m·s then lies in [2^-75, 2^26] for every finite m.
 */
export function scaleFor(m: f64): f64 {
  if (!(m > 0)) return 0;
  let e = <i32>((reinterpret<u64>(m) >> 52) & 0x7ff) - 1023;
  if (e < -1000) e = -1000;
  if (e > 1000) e = 1000;
  return reinterpret<f64>(<u64>(1023 - e) << 52);
}

/** Counters every column keeps; `count` includes missing rows. Signed: noise may push them below 0. */
export class Counters {
  count: i64 = 0;
  missing: i64 = 0;
  nan: i64 = 0;
  posInf: i64 = 0;
  negInf: i64 = 0;

  merge(o: Counters): void {
    this.count += o.count;
    this.missing += o.missing;
    this.nan += o.nan;
    this.posInf += o.posInf;
    this.negInf += o.negInf;
  }

  copyFrom(o: Counters): void {
    this.count = o.count;
    this.missing = o.missing;
    this.nan = o.nan;
    this.posInf = o.posInf;
    this.negInf = o.negInf;
  }
}
