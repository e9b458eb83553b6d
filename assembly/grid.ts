// Fixed-grid histogram on given, strictly increasing edges, right-closed bins:
// (-inf, e0], (e0, e1], …, (e_last, +inf). Every bin exists whether empty or not, which is what
// the private upload mode needs: noise can cover all of them, and no bin's presence says anything.
export class FixedGrid {
  counts: StaticArray<i64>;

  constructor(public edges: StaticArray<f64>) {
    this.counts = new StaticArray<i64>(edges.length + 1);
  }

  sameEdges(o: FixedGrid): bool {
    const a = this.edges;
    const b = o.edges;
    if (a.length != b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (reinterpret<u64>(unchecked(a[i])) != reinterpret<u64>(unchecked(b[i]))) return false;
    }
    return true;
  }

  merge(o: FixedGrid): void {
    for (let i = 0; i < this.counts.length; i++) {
      unchecked((this.counts[i] = this.counts[i] + o.counts[i]));
    }
  }
}

/**
 * Bin of a finite value among `n` sorted edges at `edges`: the number of edges strictly below it.
 * Branch-free halving: where x falls among the edges is as unpredictable as the data.
 */
// @ts-ignore: decorator
@inline
export function binOf(edges: usize, n: i32, x: f64): i32 {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const below = load<f64>(edges + (<usize>mid << 3)) < x;
    lo = select<i32>(mid + 1, lo, below);
    hi = select<i32>(hi, mid, below);
  }
  return lo;
}

/** Edges are usable when finite and strictly increasing. */
export function validEdges(edges: StaticArray<f64>): bool {
  if (edges.length == 0) return false;
  for (let i = 0; i < edges.length; i++) {
    const e = unchecked(edges[i]);
    if (!isFinite(e)) return false;
    if (i > 0 && !(e > unchecked(edges[i - 1]))) return false;
  }
  return true;
}

export function linearEdges(lo: f64, hi: f64, bins: i32): StaticArray<f64> {
  const edges = new StaticArray<f64>(bins + 1);
  for (let i = 0; i <= bins; i++) unchecked((edges[i] = lo + ((hi - lo) * <f64>i) / <f64>bins));
  return edges;
}
