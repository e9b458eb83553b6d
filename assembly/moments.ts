// Count, sum, mean, M2, min and max of the finite values of a column, merged with Chan et al.'s
// pairwise update. The merge is written symmetrically so merge(a, b) and merge(b, a) give the same
// bits, and recording a batch goes through the very same merge, so a profile of A then B equals
// merge(profile(A), profile(B)) to the bit.
export class Moments {
  n: i64 = 0;
  sum: f64 = 0;
  mean: f64 = 0;
  m2: f64 = 0;
  min: f64 = Infinity;
  max: f64 = -Infinity;

  merge(o: Moments): void {
    this.combine(o.n, o.sum, o.mean, o.m2, o.min, o.max);
  }

  combine(nb: i64, sumb: f64, meanb: f64, m2b: f64, minb: f64, maxb: f64): void {
    if (nb == 0) return;
    const na = this.n;
    if (na == 0) {
      this.n = nb;
      this.sum = sumb;
      this.mean = meanb;
      this.m2 = m2b;
      this.min = minb;
      this.max = maxb;
      return;
    }
    const fa = <f64>na;
    const fb = <f64>nb;
    const n = na + nb;
    const fn = <f64>n;
    const delta = meanb - this.mean;
    // Weighted as mean·(n_i/n) so huge values do not overflow on the way to a finite mean.
    this.mean = this.mean * (fa / fn) + meanb * (fb / fn);
    this.m2 = this.m2 + m2b + delta * delta * ((fa * fb) / fn);
    this.sum = this.sum + sumb;
    this.n = n;
    // f64.min/max order −0 below +0, so the extremes do not depend on which side came first.
    this.min = min(this.min, minb);
    this.max = max(this.max, maxb);
  }

  variance(): f64 {
    return this.n < 2 ? NaN : this.m2 / <f64>(this.n - 1);
  }

  copyFrom(o: Moments): void {
    this.n = o.n;
    this.sum = o.sum;
    this.mean = o.mean;
    this.m2 = o.m2;
    this.min = o.min;
    this.max = o.max;
  }

  /** Forget everything but the count: the private mode uploads no exact moments or extremes. */
  strip(): void {
    this.sum = 0;
    this.mean = 0;
    this.m2 = 0;
    this.min = NaN;
    this.max = NaN;
  }
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
