// Exact statistics on raw data: the independent truth the sketches are checked against.
// Definitions follow the contract in assembly/drift.ts.

export function sorted(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

/** Value at rank floor(q·(n−1)) of the sorted finite values. */
export function quantile(s: Float64Array, q: number): number {
  return s[Math.floor(q * (s.length - 1))];
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

export function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s / (xs.length - 1);
}

/** Two-sample KS statistic: sup over x of |F_a(x) − F_b(x)|, walking both sorted samples. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i], b[j]);
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** Asymptotic Kolmogorov survival function, alternating series (valid for the λ that matter). */
export function kolmogorovSf(lambda: number): number {
  if (lambda < 0.2) return 1;
  let s = 0;
  for (let k = 1; k < 200; k++) s += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return Math.min(1, Math.max(0, s));
}

/** W1 between two empirical distributions: ∫|F_a − F_b| dx. */
export function wasserstein(a: Float64Array, b: Float64Array): number {
  const all = sorted([...a, ...b]);
  let i = 0;
  let j = 0;
  let w = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k];
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    w += Math.abs(i / a.length - j / b.length) * (all[k + 1] - x);
  }
  return w;
}

/** Proportions in the 10 right-closed bins cut at the baseline's deciles. */
export function decileBins(baseline: Float64Array, xs: Float64Array): number[] {
  const edges = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => quantile(baseline, i / 10));
  const counts = new Array(10).fill(0);
  for (const x of xs) {
    let b = 0;
    while (b < 9 && x > edges[b]) b++;
    counts[b]++;
  }
  return counts.map((c) => c / xs.length);
}

export function psi(p: number[], q: number[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = Math.max(p[i], 1e-4);
    const b = Math.max(q[i], 1e-4);
    s += (b - a) * Math.log(b / a);
  }
  return s;
}

export function jsDistance(p: number[], q: number[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) s += 0.5 * p[i] * Math.log2(p[i] / m);
    if (q[i] > 0) s += 0.5 * q[i] * Math.log2(q[i] / m);
  }
  return Math.sqrt(s);
}

export function hellinger(p: number[], q: number[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (Math.sqrt(p[i]) - Math.sqrt(q[i])) ** 2;
  return Math.sqrt(s / 2);
}

export function counts(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/**
 * Chi-square test of homogeneity on the 2×K table of two samples' category counts, sparse cells
 * pooled (Cochran): categories whose expected count in the smaller sample is below 5 form one
 * cell, which joins the smallest other category if it is itself below 5.
 */
export function chi2Homogeneity(a: Map<string, number>, b: Map<string, number>): { statistic: number; dof: number } {
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const ta = [...a.values()].reduce((x, y) => x + y, 0);
  const tb = [...b.values()].reduce((x, y) => x + y, 0);
  const n = ta + tb;
  const small = Math.min(ta, tb);
  const cells: [number, number][] = [];
  const pooled: [number, number] = [0, 0];
  for (const k of keys) {
    const x = a.get(k) ?? 0;
    const y = b.get(k) ?? 0;
    if (((x + y) * small) / n < 5) {
      pooled[0] += x;
      pooled[1] += y;
    } else {
      cells.push([x, y]);
    }
  }
  if (pooled[0] + pooled[1] > 0) {
    if (((pooled[0] + pooled[1]) * small) / n < 5 && cells.length > 0) {
      const j = cells.reduce((best, c, i) => (c[0] + c[1] < cells[best][0] + cells[best][1] ? i : best), 0);
      cells[j] = [cells[j][0] + pooled[0], cells[j][1] + pooled[1]];
    } else {
      cells.push(pooled);
    }
  }
  let stat = 0;
  for (const [x, y] of cells) {
    const ea = (ta * (x + y)) / n;
    const eb = (tb * (x + y)) / n;
    stat += (x - ea) ** 2 / ea + (y - eb) ** 2 / eb;
  }
  return { statistic: cells.length > 1 ? stat : 0, dof: Math.max(cells.length - 1, 0) };
}

export function proportions(a: Map<string, number>, keys: string[]): number[] {
  const t = [...a.values()].reduce((x, y) => x + y, 0);
  return keys.map((k) => (a.get(k) ?? 0) / t);
}

/** Checks |actual − expected| <= abs + rel·|expected|, with a message that shows both. */
export function near(actual: number, expected: number, abs: number, rel = 0): boolean {
  return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
}
