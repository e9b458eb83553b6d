// A profile: named column sketches plus string metadata (the upload header rides here).
import { ExactValues } from './exact_values';
import { Column, KIND_CATEGORICAL, KIND_GRID, KIND_NUMERIC } from './column';
import { ExpHistogram } from './exphist';
import { FixedGrid } from './grid';
import { CategoricalSketch, Item, vocabulariesMatch } from './categorical';
import { fail, labelText } from './errors';
import { mergeProblem } from './validate';
import { xxh64 } from './hash';

export const MAX_COLUMNS: i32 = 4096;

export class Profile {
  columns: Array<Column> = new Array<Column>();
  metaKeys: Array<StaticArray<u8>> = new Array<StaticArray<u8>>();
  metaValues: Array<StaticArray<u8>> = new Array<StaticArray<u8>>();

  // Names by their xxHash64, so that finding a column costs the same in a profile of 4,096 as in
  // one of 4: decoding, merging and reading a wide profile look up every one of its columns, and
  // a scan per lookup made those quadratic in the width. Columns are only ever appended, so the
  // index catches up with the new ones on each lookup.
  private byHash: Map<u64, i32> = new Map<u64, i32>();
  private indexed: i32 = 0;
  /** Two names with one hash (never seen in practice): lookups fall back to a scan. */
  private collided: bool = false;

  find(name: StaticArray<u8>): i32 {
    while (this.indexed < this.columns.length) {
      const n = this.columns[this.indexed].name;
      const h = xxh64(changetype<usize>(n), n.length);
      if (this.byHash.has(h)) this.collided = true;
      else this.byHash.set(h, this.indexed);
      this.indexed++;
    }
    if (!this.collided) {
      const h = xxh64(changetype<usize>(name), name.length);
      if (!this.byHash.has(h)) return -1;
      const i = this.byHash.get(h);
      return sameBytes(this.columns[i].name, name) ? i : -1;
    }
    for (let i = 0; i < this.columns.length; i++) {
      if (sameBytes(this.columns[i].name, name)) return i;
    }
    return -1;
  }

  setMeta(key: StaticArray<u8>, value: StaticArray<u8>): void {
    for (let i = 0; i < this.metaKeys.length; i++) {
      if (sameBytes(this.metaKeys[i], key)) {
        this.metaValues[i] = value;
        return;
      }
    }
    this.metaKeys.push(key);
    this.metaValues.push(value);
  }
}

export function sameBytes(a: StaticArray<u8>, b: StaticArray<u8>): bool {
  if (a.length != b.length) return false;
  return memory.compare(changetype<usize>(a), changetype<usize>(b), a.length) == 0;
}

/** An empty column configured like `c` (same kind, scale, budget, edges, capacity, vocabulary). */
export function emptyLike(c: Column): Column {
  const e = new Column(c.name, c.kind);
  if (c.kind == KIND_NUMERIC) {
    e.exp = new ExpHistogram(c.exp!.scale, c.exp!.maxBuckets);
    e.exp!.center = c.exp!.center;
    e.exact = new ExactValues();
  }
  else if (c.kind == KIND_GRID) e.grid = new FixedGrid(c.grid!.edges);
  else {
    const cat = c.cat!;
    if (cat.vocabulary != null) {
      const s = new CategoricalSketch(cat.mode, cat.capacity);
      const keys = cat.vocabulary!;
      for (let i = 0; i < keys.length; i++) {
        s.items.set(keys[i], new Item(cat.items.get(keys[i]).label, 0));
      }
      s.vocabulary = keys;
      s.otherKey = cat.otherKey;
      e.cat = s;
    } else {
      e.cat = new CategoricalSketch(0, cat.capacity);
    }
  }
  return e;
}


/** Why `o` cannot be merged into `c`, or null when it can. */
function incompatibility(c: Column, o: Column): string | null {
  const name = "column '" + labelText(c.name) + "': ";
  if (c.kind != o.kind) return name + 'cannot merge ' + kindName(c.kind) + ' with ' + kindName(o.kind);
  if (c.kind == KIND_GRID && !c.grid!.sameEdges(o.grid!)) return name + 'grids have different edges';
  if (c.kind == KIND_NUMERIC && !sameCenter(c.exp!.center, o.exp!.center) && c.exact == null && o.exact == null) {
    return name + 'histograms have different centers (' + c.exp!.center.toString() + ', ' + o.exp!.center.toString() + ')';
  }
  if (c.kind == KIND_CATEGORICAL && !vocabulariesMatch(c.cat!, o.cat!)) return name + 'vocabularies differ';
  return null;
}

/** Equal, or one still automatic (NaN): it takes the other's. */
function sameCenter(a: f64, b: f64): bool {
  return a == b || a != a || b != b;
}

/**
 * The center two mergeable numeric columns share once merged: a chosen center over one still
 * automatic (NaN); a sketch's over exact values; of two columns both holding exact values the
 * smaller. It depends on the two sides only, not on which is merged into which.
 */
function mergedCenter(c: Column, o: Column): f64 {
  const a = c.exp!.center;
  const b = o.exp!.center;
  if (a != a) return b;
  if (b != b || a == b) return a;
  if (c.exact == null) return a;
  if (o.exact == null) return b;
  return min(a, b);
}

/** The histogram of exact values bucketed around another center, at the same scale and budget. */
function rebuiltAround(h: ExpHistogram, exact: ExactValues, center: f64): ExpHistogram {
  const out = new ExpHistogram(h.scale, h.maxBuckets);
  out.center = center;
  const values = new Array<f64>();
  const counts = new Array<i64>();
  exact.sorted(values, counts);
  for (let i = 0; i < values.length; i++) out.addDeviation(values[i] - center, counts[i]);
  return out;
}

/** Adds column `o` into `c`, which must be compatible (see incompatibility). */
function mergeColumn(c: Column, o: Column): void {
  if (c.kind == KIND_CATEGORICAL) c.cat!.merge(o.cat!);
  else if (c.kind == KIND_GRID) c.grid!.merge(o.grid!);
  else {
    // Exact values can be bucketed around any center: a side holding them is rebuilt around the
    // other's, so columns centred apart still merge exactly (see mergedCenter).
    const center = mergedCenter(c, o);
    if (c.exp!.center == c.exp!.center && c.exp!.center != center) c.exp = rebuiltAround(c.exp!, c.exact!, center);
    const from = o.exp!.center == o.exp!.center && o.exp!.center != center ? rebuiltAround(o.exp!, o.exact!, center) : o.exp!;
    c.exp!.merge(from);
    if (c.exact != null && (o.exact == null || !c.exact!.merge(o.exact!))) c.exact = null;
  }
  c.counters.merge(o.counters);
  c.moments.merge(o.moments);
  c.noisy = c.noisy || o.noisy;
}

/**
 * Adds every column of `b` into `a`; columns only in `b` are copied. Checks everything first, so
 * a failed merge leaves `a` untouched.
 */
export function mergeProfiles(a: Profile, b: Profile): bool {
  for (let i = 0; i < b.columns.length; i++) {
    const j = a.find(b.columns[i].name);
    if (j < 0) continue;
    let reason = incompatibility(a.columns[j], b.columns[i]);
    if (reason == null) {
      const why = mergeProblem(a.columns[j], b.columns[i]);
      if (why != null) reason = "column '" + labelText(b.columns[i].name) + "': " + why;
    }
    if (reason != null) {
      fail(reason);
      return false;
    }
  }
  if (a.columns.length + countNew(a, b) > MAX_COLUMNS) {
    fail('a profile holds at most ' + MAX_COLUMNS.toString() + ' columns');
    return false;
  }
  for (let i = 0; i < b.columns.length; i++) {
    const y = b.columns[i];
    let j = a.find(y.name);
    if (j < 0) {
      a.columns.push(emptyLike(y));
      j = a.columns.length - 1;
    }
    mergeColumn(a.columns[j], y);
  }
  return true;
}

function countNew(a: Profile, b: Profile): i32 {
  let n = 0;
  for (let i = 0; i < b.columns.length; i++) if (a.find(b.columns[i].name) < 0) n++;
  return n;
}

export function kindName(kind: u8): string {
  if (kind == KIND_NUMERIC) return 'numeric';
  if (kind == KIND_GRID) return 'grid';
  return 'categorical';
}
