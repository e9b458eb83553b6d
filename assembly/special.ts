// Distribution functions behind the p-values: Kolmogorov's limiting distribution and the
// chi-square survival function (regularised upper incomplete gamma).

/** P(K > x) for the Kolmogorov distribution K = sup|B(t)| of a Brownian bridge. */
export function kolmogorovSf(x: f64): f64 {
  if (!(x > 0)) return 1.0;
  if (x < 1.18) {
    // Small x: the Jacobi theta form converges fast, the alternating series does not.
    const w = Math.sqrt(2.0 * Math.PI) / x;
    const c = (Math.PI * Math.PI) / (8.0 * x * x);
    let s: f64 = 0;
    for (let k = 1; k < 100; k++) {
      const j = <f64>(2 * k - 1);
      const t = Math.exp(-j * j * c);
      s += t;
      if (t < 1e-17 * s) break;
    }
    return clamp01(1.0 - w * s);
  }
  let s: f64 = 0;
  let sign: f64 = 1;
  for (let k = 1; k < 100; k++) {
    const fk = <f64>k;
    const t = Math.exp(-2.0 * fk * fk * x * x);
    s += sign * t;
    sign = -sign;
    if (t < 1e-17) break;
  }
  return clamp01(2.0 * s);
}

/** P(X > x) for X ~ chi-square with `dof` degrees of freedom. */
export function chi2Sf(x: f64, dof: f64): f64 {
  if (!(dof > 0)) return NaN;
  if (!(x > 0)) return 1.0;
  return gammaQ(dof / 2.0, x / 2.0);
}

function clamp01(v: f64): f64 {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function lgamma(x: f64): f64 {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1.0 - x);
  const g: f64 = 7;
  x -= 1;
  let a: f64 = 0.99999999999980993;
  a += 676.5203681218851 / (x + 1);
  a += -1259.1392167224028 / (x + 2);
  a += 771.32342877765313 / (x + 3);
  a += -176.61503916999185 / (x + 4);
  a += 12.507343278686905 / (x + 5);
  a += -0.13857109526572012 / (x + 6);
  a += 9.9843695780195716e-6 / (x + 7);
  a += 1.5056327351493116e-7 / (x + 8);
  const t = x + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x). */
export function gammaQ(a: f64, x: f64): f64 {
  if (x < a + 1) return clamp01(1.0 - gammaPSeries(a, x));
  return clamp01(gammaQFraction(a, x));
}

function gammaPSeries(a: f64, x: f64): f64 {
  let sum = 1.0 / a;
  let term = sum;
  let ap = a;
  for (let n = 0; n < 10000; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lgamma(a));
}

function gammaQFraction(a: f64, x: f64): f64 {
  // Modified Lentz evaluation of the continued fraction.
  const tiny: f64 = 1e-300;
  let b = x + 1 - a;
  let c = 1.0 / tiny;
  let d = 1.0 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -<f64>i * (<f64>i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - lgamma(a)) * h;
}
