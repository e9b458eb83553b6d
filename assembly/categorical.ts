// Categorical column sketch. Three modes:
// - EXACT: exact counts per distinct value, up to `capacity` values;
// - SKETCH: beyond that, Misra–Gries frequent items: while recording, counters are reduced by the
//   (capacity+1)-th largest count whenever they outgrow their budget; every item's count is then
//   low by at most `errorBound`, and a HyperLogLog keeps the distinct count (its registers can be
//   withheld from an upload: they answer "was this value seen?" for any value, also one dropped
//   from the items; the distinct count is then unknown, NaN). Merging adds counters and bounds
//   without reducing, so it is exact, commutative and associative;
// - VOCABULARY: a fixed list of values plus `__other__`, every one kept even at zero — the
//   private mode's grid, where noise must cover every cell.
// Values are keyed by the 64-bit xxHash of their UTF-8 bytes; the label is kept beside the count.
import { xxh64 } from './hash';
import { HLL_M, hllAdd, hllEstimate, hllMerge } from './hll';

export const MODE_EXACT: u8 = 0;
export const MODE_SKETCH: u8 = 1;
export const MODE_VOCABULARY: u8 = 2;
export const DEFAULT_CAPACITY: i32 = 256;
export const MAX_CAPACITY: i32 = 65536;

export const OTHER_LABEL = '__other__';

export class Item {
  constructor(public label: StaticArray<u8>, public count: i64) {}
}

export function bytesOf(s: string): StaticArray<u8> {
  const buf = String.UTF8.encode(s);
  const out = new StaticArray<u8>(buf.byteLength);
  memory.copy(changetype<usize>(out), changetype<usize>(buf), buf.byteLength);
  return out;
}

export function hashOf(label: StaticArray<u8>): u64 {
  return xxh64(changetype<usize>(label), label.length);
}

export class CategoricalSketch {
  items: Map<u64, Item> = new Map<u64, Item>();
  errorBound: i64 = 0;
  /** SKETCH mode: the HyperLogLog registers, or null once withheld (unknown distinct count). */
  hll: StaticArray<u8> | null = null;
  /** VOCABULARY mode: the cells' keys in declared order, `__other__` last. */
  vocabulary: Array<u64> | null = null;
  otherKey: u64 = 0;

  constructor(public mode: u8, public capacity: i32) {}

  static withVocabulary(labels: Array<StaticArray<u8>>): CategoricalSketch {
    const s = new CategoricalSketch(MODE_VOCABULARY, labels.length + 1);
    const order = new Array<u64>();
    for (let i = 0; i < labels.length; i++) {
      const h = hashOf(labels[i]);
      if (!s.items.has(h)) {
        s.items.set(h, new Item(labels[i], 0));
        order.push(h);
      }
    }
    const other = bytesOf(OTHER_LABEL);
    s.otherKey = hashOf(other);
    if (!s.items.has(s.otherKey)) {
      s.items.set(s.otherKey, new Item(other, 0));
      order.push(s.otherKey);
    }
    s.vocabulary = order;
    // Repeated labels, or `__other__` listed among them, are one cell each.
    s.capacity = order.length;
    return s;
  }

  /** Records one value given by its UTF-8 bytes in memory. */
  add(ptr: usize, len: i32): void {
    const h = xxh64(ptr, len);
    if (this.items.has(h)) {
      const it = this.items.get(h);
      it.count++;
      if (this.hll != null) hllAdd(this.hll!, h);
      return;
    }
    if (this.mode == MODE_VOCABULARY) {
      this.items.get(this.otherKey).count++;
      return;
    }
    if (this.mode == MODE_EXACT && this.items.size >= this.capacity) this.toSketch();
    if (this.hll != null) hllAdd(this.hll!, h);
    const label = new StaticArray<u8>(len);
    memory.copy(changetype<usize>(label), ptr, len);
    this.items.set(h, new Item(label, 1));
    // Amortised Misra–Gries: let counters grow to twice the budget, then cut back to it.
    if (this.mode == MODE_SKETCH && this.items.size >= 2 * this.capacity) this.reduce();
  }

  toSketch(): void {
    this.mode = MODE_SKETCH;
    const regs = new StaticArray<u8>(HLL_M);
    const keys = this.items.keys();
    for (let i = 0; i < keys.length; i++) hllAdd(regs, keys[i]);
    this.hll = regs;
  }

  /** Keeps at most `capacity` counters: subtracts the (capacity+1)-th largest count from all. */
  reduce(): void {
    if (this.items.size <= this.capacity) return;
    const values = this.items.values();
    const counts = new Array<i64>(values.length);
    for (let i = 0; i < values.length; i++) counts[i] = values[i].count;
    counts.sort((a: i64, b: i64): i32 => (a > b ? -1 : a < b ? 1 : 0));
    const cut = counts[this.capacity];
    if (cut <= 0) return;
    const keys = this.items.keys();
    for (let i = 0; i < keys.length; i++) {
      const it = this.items.get(keys[i]);
      it.count -= cut;
      if (it.count <= 0) this.items.delete(keys[i]);
    }
    this.errorBound += cut;
  }

  /** Adds another sketch of the same column. Returns false when the two cannot be merged. */
  merge(o: CategoricalSketch): bool {
    if ((this.mode == MODE_VOCABULARY) != (o.mode == MODE_VOCABULARY)) return false;
    if (this.mode == MODE_VOCABULARY) {
      if (!sameVocabulary(this, o)) return false;
      const keys = this.vocabulary!;
      for (let i = 0; i < keys.length; i++) this.items.get(keys[i]).count += o.items.get(keys[i]).count;
      return true;
    }
    const capacity = min(this.capacity, o.capacity);
    this.capacity = capacity;
    // Withheld registers on either side: the merged distinct count is unknown too.
    const withheld = (this.mode == MODE_SKETCH && this.hll == null) || (o.mode == MODE_SKETCH && o.hll == null);
    if (o.mode == MODE_SKETCH && this.mode == MODE_EXACT) this.toSketch();
    const keys = o.items.keys();
    for (let i = 0; i < keys.length; i++) {
      const from = o.items.get(keys[i]);
      if (this.items.has(keys[i])) this.items.get(keys[i]).count += from.count;
      else this.items.set(keys[i], new Item(from.label, from.count));
    }
    if (this.mode == MODE_EXACT) {
      if (this.items.size <= capacity) return true;
      // Exact on both sides but too many values together: hash every value into the HLL.
      this.toSketch();
    } else if (withheld) {
      this.hll = null;
    } else if (o.mode == MODE_EXACT) {
      for (let i = 0; i < keys.length; i++) hllAdd(this.hll!, keys[i]);
    } else {
      hllMerge(this.hll!, o.hll!);
    }
    // No reduction here: counters add exactly and error bounds add, so the result is the same
    // whatever the order and grouping of merges. The guarantees hold for the sum: a listed count
    // is low by at most the summed bound, and a value more frequent than that bound is more
    // frequent than its part's bound in some part, so that part lists it. Only recording reduces.
    this.errorBound += o.errorBound;
    return true;
  }

  /** Drops the HyperLogLog registers (SKETCH mode): the distinct count becomes unknown. */
  withholdRegisters(): void {
    if (this.mode == MODE_SKETCH) this.hll = null;
  }

  distinct(): f64 {
    if (this.mode == MODE_EXACT) return <f64>this.items.size;
    if (this.mode == MODE_SKETCH) return this.hll == null ? NaN : hllEstimate(this.hll!);
    let n = 0;
    const keys = this.vocabulary!;
    for (let i = 0; i < keys.length; i++) if (this.items.get(keys[i]).count > 0) n++;
    return <f64>n;
  }

  total(): i64 {
    let t: i64 = 0;
    const v = this.items.values();
    for (let i = 0; i < v.length; i++) t += v[i].count;
    return t;
  }

  /** Keys in a canonical order: declared order for a vocabulary, else ascending hash. */
  orderedKeys(): Array<u64> {
    if (this.mode == MODE_VOCABULARY) return this.vocabulary!;
    const keys = this.items.keys();
    keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    return keys;
  }
}

/** Two sketches can merge when neither has a vocabulary, or both have the same one. */
export function vocabulariesMatch(a: CategoricalSketch, b: CategoricalSketch): bool {
  if (a.vocabulary == null || b.vocabulary == null) return a.vocabulary == b.vocabulary;
  return sameVocabulary(a, b);
}

function sameVocabulary(a: CategoricalSketch, b: CategoricalSketch): bool {
  const x = a.vocabulary!;
  const y = b.vocabulary!;
  if (x.length != y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] != y[i]) return false;
  return true;
}
