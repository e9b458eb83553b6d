// The overhead of one variant over another from interleaved blocks: block i of each ran back to
// back, so the per-round difference cancels what the machine did between rounds. Its median, with
// a distribution-free 95% confidence interval (the sign test's order statistics), says both how
// large the overhead is and how well this run resolved it.

export interface Paired {
  /** Median of the per-round differences b − a. */
  median: number;
  /** 95% confidence interval of that median. */
  low: number;
  high: number;
  rounds: number;
}

export function pairedDifference(a: readonly number[], b: readonly number[]): Paired {
  const n = Math.min(a.length, b.length);
  if (n === 0) throw new Error('no rounds to compare');
  const d = Array.from({ length: n }, (_, i) => b[i] - a[i]).sort((x, y) => x - y);
  const median = n % 2 ? d[(n - 1) / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
  // The normal approximation of the binomial(n, ½) rank bound: fine from a few dozen rounds on.
  const k = Math.max(0, Math.floor((n - 1.96 * Math.sqrt(n)) / 2));
  return { median, low: d[k], high: d[n - 1 - k], rounds: n };
}
