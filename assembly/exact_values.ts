// The distinct finite values of a numeric column and their counts, kept exactly while there are
// at most EXACT_CAPACITY of them: integer, rating and year columns, and small windows, then get
// exact quantiles and drift statistics. A column that outgrows the capacity drops this for good
// and is its exponential histogram alone (which is recorded all along). Merge is exact, and
// whether a merge overflows depends only on the union of values, so it is commutative and
// associative; the codec writes the values in ascending order, so equal sets have equal bytes.
export const EXACT_CAPACITY: i32 = 128;

const MAX_SLOTS: i32 = 256; // a power of two, twice the capacity: probes stay short
const FIRST_SLOTS: i32 = 16; // most columns overflow or stay tiny: start small, grow by doubling
const EMPTY: u64 = 0x7ff8000000000001; // a NaN pattern: never the bits of a finite value

export class ExactValues {
  keys: StaticArray<u64> = emptyKeys(FIRST_SLOTS);
  counts: StaticArray<i64> = new StaticArray<i64>(FIRST_SLOTS);
  size: i32 = 0;

  /** Adds `by` to value x (finite); false when that would exceed the capacity. */
  add(x: f64, by: i64): bool {
    // −0 and +0 are one value: x + 0.0 is +0 for both.
    const bits = reinterpret<u64>(x + 0.0);
    const i = this.slotOf(bits);
    if (unchecked(this.keys[i]) == bits) {
      unchecked((this.counts[i] = this.counts[i] + by));
      return true;
    }
    if (this.size == EXACT_CAPACITY) return false;
    if ((this.size + 1) * 2 > this.keys.length) {
      this.grow();
      return this.add(x, by);
    }
    unchecked((this.keys[i] = bits));
    unchecked((this.counts[i] = by));
    this.size++;
    return true;
  }

  /** The slot holding `bits`, or the empty slot where it would go. */
  // @ts-ignore: decorator
  @inline
  slotOf(bits: u64): i32 {
    const mask = this.keys.length - 1;
    let i = <i32>((bits * 0x9e3779b97f4a7c15) >> 40) & mask;
    while (true) {
      const k = unchecked(this.keys[i]);
      if (k == bits || k == EMPTY) return i;
      i = (i + 1) & mask;
    }
  }

  grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    const n = min(keys.length * 2, MAX_SLOTS);
    this.keys = emptyKeys(n);
    this.counts = new StaticArray<i64>(n);
    for (let j = 0; j < keys.length; j++) {
      const k = unchecked(keys[j]);
      if (k == EMPTY) continue;
      const i = this.slotOf(k);
      unchecked((this.keys[i] = k));
      unchecked((this.counts[i] = counts[j]));
    }
  }

  /** Adds every value of `o`; false when the union exceeds the capacity. */
  merge(o: ExactValues): bool {
    for (let i = 0; i < o.keys.length; i++) {
      const k = unchecked(o.keys[i]);
      if (k != EMPTY && !this.add(reinterpret<f64>(k), unchecked(o.counts[i]))) return false;
    }
    return true;
  }

  /** The values in ascending order, and their counts alongside. */
  sorted(values: Array<f64>, counts: Array<i64>): void {
    const order = new Array<f64>();
    for (let i = 0; i < this.keys.length; i++) if (unchecked(this.keys[i]) != EMPTY) order.push(reinterpret<f64>(this.keys[i]));
    order.sort((a: f64, b: f64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    for (let j = 0; j < order.length; j++) {
      values.push(order[j]);
      counts.push(this.countOf(order[j]));
    }
  }

  countOf(x: f64): i64 {
    const bits = reinterpret<u64>(x + 0.0);
    const i = this.slotOf(bits);
    return unchecked(this.keys[i]) == bits ? unchecked(this.counts[i]) : 0;
  }
}

function emptyKeys(n: i32): StaticArray<u64> {
  const k = new StaticArray<u64>(n);
  for (let i = 0; i < n; i++) unchecked((k[i] = EMPTY));
  return k;
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
