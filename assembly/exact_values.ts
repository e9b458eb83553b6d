// The distinct finite values of a numeric column and their counts, kept exactly while there are
// at most EXACT_CAPACITY of them: integer, rating and year columns, and small windows, then get
// exact quantiles and drift statistics. A column that outgrows the capacity drops this for good
// and is its exponential histogram alone (which is recorded all along). Merge is exact, and
// whether a merge overflows depends only on the union of values, so it is commutative and
// associative; the codec writes the values in ascending order, so equal sets have equal bytes.
export const EXACT_CAPACITY: i32 = 128;

const SLOTS: i32 = 256; // a power of two, twice the capacity: probes stay short
const EMPTY: u64 = 0x7ff8000000000001; // a NaN pattern: never the bits of a finite value

export class ExactValues {
  keys: StaticArray<u64> = new StaticArray<u64>(SLOTS);
  counts: StaticArray<i64> = new StaticArray<i64>(SLOTS);
  size: i32 = 0;

  constructor() {
    for (let i = 0; i < SLOTS; i++) unchecked((this.keys[i] = EMPTY));
  }

  /** Adds `by` to value x (finite); false when that would exceed the capacity. */
  // @ts-ignore: decorator
  @inline
  add(x: f64, by: i64): bool {
    // −0 and +0 are one value: x + 0.0 is +0 for both.
    const bits = reinterpret<u64>(x + 0.0);
    let i = <i32>((bits * 0x9e3779b97f4a7c15) >> 56);
    while (true) {
      const k = unchecked(this.keys[i]);
      if (k == bits) {
        unchecked((this.counts[i] = this.counts[i] + by));
        return true;
      }
      if (k == EMPTY) break;
      i = (i + 1) & (SLOTS - 1);
    }
    if (this.size == EXACT_CAPACITY) return false;
    unchecked((this.keys[i] = bits));
    unchecked((this.counts[i] = by));
    this.size++;
    return true;
  }

  /** Adds every value of `o`; false when the union exceeds the capacity. */
  merge(o: ExactValues): bool {
    for (let i = 0; i < SLOTS; i++) {
      const k = unchecked(o.keys[i]);
      if (k != EMPTY && !this.add(reinterpret<f64>(k), unchecked(o.counts[i]))) return false;
    }
    return true;
  }

  /** The values in ascending order, and their counts alongside. */
  sorted(values: Array<f64>, counts: Array<i64>): void {
    const order = new Array<f64>();
    for (let i = 0; i < SLOTS; i++) if (unchecked(this.keys[i]) != EMPTY) order.push(reinterpret<f64>(this.keys[i]));
    order.sort((a: f64, b: f64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    for (let j = 0; j < order.length; j++) {
      values.push(order[j]);
      counts.push(this.countOf(order[j]));
    }
  }

  countOf(x: f64): i64 {
    const bits = reinterpret<u64>(x + 0.0);
    let i = <i32>((bits * 0x9e3779b97f4a7c15) >> 56);
    while (true) {
      const k = unchecked(this.keys[i]);
      if (k == bits) return unchecked(this.counts[i]);
      if (k == EMPTY) return 0;
      i = (i + 1) & (SLOTS - 1);
    }
  }
}

/** Adds n values of type T at ptr, ptr+stride, …; false once they outgrow the capacity. */
export function addValues<T>(e: ExactValues, ptr: usize, stride: usize, n: i32): bool {
  let p = ptr;
  for (let i = 0; i < n; i++, p += stride) {
    const x = <f64>load<T>(p);
    // Not finite (NaN, ±Inf): counted apart by the column.
    if ((reinterpret<u64>(x) & 0x7ff0000000000000) == 0x7ff0000000000000) continue;
    if (!e.add(x, 1)) return false;
  }
  return true;
}
