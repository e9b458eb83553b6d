// Fixed-grid histogram on given, strictly increasing edges, right-closed bins:
// (-inf, e0], (e0, e1], …, (e_last, +inf). Every bin exists whether empty or not, which is what
// the private upload mode needs: noise can cover all of them, and no bin's presence says anything.
export class FixedGrid {
  counts: StaticArray<i64>;

  constructor(public edges: StaticArray<f64>) {
    this.counts = new StaticArray<i64>(edges.length + 1);
  }

  /** Bin of a finite value: the number of edges strictly below it. */
  // @ts-ignore: decorator
  @inline
  bin(x: f64): i32 {
    const edges = this.edges;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(edges[mid]) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  record(x: f64): void {
    const b = this.bin(x);
    unchecked((this.counts[b] = this.counts[b] + 1));
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
