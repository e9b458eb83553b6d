// Exact quantiles from sorted data, and how far an estimate lands from them.

/** The exact q-quantile: the value of rank floor(q·(n−1)) in the sorted data. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

/** |estimate − exact| / |exact|; undefined when the exact value is 0 (no relative scale there). */
export function relativeError(estimate: number, exact: number): number | undefined {
  if (exact === 0) return undefined;
  return Math.abs(estimate - exact) / Math.abs(exact);
}

/**
 * Rank error: how far, as a fraction of n, the estimate's rank range in the data lies from the
 * target rank floor(q·(n−1)). 0 when some copy of the estimate's value sits at that rank.
 */
export function rankError(sorted: Float64Array, estimate: number, q: number): number {
  const n = sorted.length;
  const target = Math.floor(q * (n - 1));
  if (Number.isNaN(estimate)) return 1;
  const first = lowerBound(sorted, estimate); // ranks [first, last] hold values equal to estimate
  const last = lowerBound(sorted, nextUp(estimate)) - 1;
  if (last < first) {
    // Not a data value: it sits between ranks first-1 and first.
    return Math.min(Math.abs(target - (first - 1)), Math.abs(first - target)) / n;
  }
  if (target < first) return (first - target) / n;
  if (target > last) return (target - last) / n;
  return 0;
}

export interface Errors {
  /** Worst relative error over the quantiles whose exact value is not 0, and where it happened. */
  worstRelative: number;
  worstRelativeAt: number;
  worstRank: number;
  /** Quantiles left out of the relative error because their exact value is 0. */
  zeroExact: number[];
}

export function quantileErrors(sorted: Float64Array, qs: readonly number[], estimate: (q: number) => number): Errors {
  const out: Errors = { worstRelative: 0, worstRelativeAt: NaN, worstRank: 0, zeroExact: [] };
  for (const q of qs) {
    const est = estimate(q);
    const rel = relativeError(est, exactQuantile(sorted, q));
    if (rel === undefined) out.zeroExact.push(q);
    else if (!(rel <= out.worstRelative)) {
      out.worstRelative = rel;
      out.worstRelativeAt = q;
    }
    out.worstRank = Math.max(out.worstRank, rankError(sorted, est, q));
  }
  return out;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nextUp(x: number): number {
  if (x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  i[0] += x > 0 ? 1n : -1n;
  return b[0];
}
