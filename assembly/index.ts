// The core's ABI: plain numbers and pointers into this module's memory. Profiles are reached
// through integer handles, so the host never holds a pointer the collector could move or free;
// releasing a handle makes the profile garbage for the incremental collector.
import { ExactValues } from './exact_values';
import { Column, KIND_CATEGORICAL, KIND_GRID, KIND_NUMERIC, recordLabels, recordMissing, recordNumeric } from './column';
import { DEFAULT_MAX_BUCKETS, DEFAULT_SCALE, ExpHistogram, MAX_BUCKET_BUDGET, validScale } from './exphist';
import { FixedGrid, validEdges, linearEdges } from './grid';
import { CategoricalSketch, DEFAULT_CAPACITY, MAX_CAPACITY, MODE_EXACT } from './categorical';
import { MAX_COLUMNS, Profile, mergeProfiles } from './profile';
import { decodeProfile, decodeUpload, encodeProfile, Writer } from './codec';
import { fail, lastError } from './errors';
import { below, cdfAt, cellsOf, quantileOf } from './cells';
import { compareCategorical, compareNumeric, meanOf, stdOf } from './drift';
import { relativeErrorAt } from './bucket_index';
import { addNoise, addShares, cellCount, noiseShares, readCells, splitShares, writeCells } from './shares';
import { calibration, confusionMetrics, noiseError, rocAuc } from './performance';

// ---- handles ----------------------------------------------------------------------------------

const profiles = new Array<Profile | null>();
const freeSlots = new Array<i32>();
let live: i32 = 0;

function register(p: Profile): i32 {
  live++;
  if (freeSlots.length > 0) {
    const slot = freeSlots.pop();
    profiles[slot] = p;
    return slot + 1;
  }
  profiles.push(p);
  return profiles.length;
}

function get(h: i32): Profile | null {
  if (h < 1 || h > profiles.length) {
    fail('invalid or released handle');
    return null;
  }
  const p = profiles[h - 1];
  if (p == null) fail('invalid or released handle');
  return p;
}

function column(h: i32, i: i32): Column | null {
  const p = get(h);
  if (p == null) return null;
  if (i < 0 || i >= p.columns.length) {
    fail('no such column');
    return null;
  }
  return p.columns[i];
}

export function profile_new(): i32 {
  return register(new Profile());
}

export function profile_free(h: i32): void {
  if (h < 1 || h > profiles.length || profiles[h - 1] == null) return;
  profiles[h - 1] = null;
  freeSlots.push(h - 1);
  live--;
}

export function live_handles(): i32 {
  return live;
}

// ---- exchange buffers -------------------------------------------------------------------------

let scratchBuf = new StaticArray<u8>(1 << 16);
let result = new Writer();

/** A buffer of at least `bytes` the host writes inputs into; valid until the next call to it. */
export function scratch(bytes: i32): usize {
  if (bytes > scratchBuf.length) {
    let cap = scratchBuf.length;
    while (cap < bytes) cap *= 2;
    scratchBuf = new StaticArray<u8>(cap);
  }
  return changetype<usize>(scratchBuf);
}

export function result_ptr(): usize {
  return changetype<usize>(result.buf);
}

export function result_len(): i32 {
  return result.pos;
}

function fresh(): Writer {
  result = new Writer();
  return result;
}

/** Writes the last error message (UTF-8) to the result buffer; returns its length. */
export function last_error(): i32 {
  const w = fresh();
  const bytes = Uint8Array.wrap(String.UTF8.encode(lastError));
  w.ensure(bytes.length);
  memory.copy(changetype<usize>(w.buf), bytes.dataStart, bytes.length);
  w.pos = bytes.length;
  return w.pos;
}

function bytesAt(ptr: usize, len: i32): StaticArray<u8> {
  const out = new StaticArray<u8>(len);
  memory.copy(changetype<usize>(out), ptr, len);
  return out;
}

// ---- building a profile -----------------------------------------------------------------------

function addColumn(p: Profile, name: StaticArray<u8>, kind: u8): Column | null {
  if (p.find(name) >= 0) {
    fail('duplicate column name');
    return null;
  }
  if (p.columns.length >= MAX_COLUMNS) {
    fail('a profile holds at most ' + MAX_COLUMNS.toString() + ' columns');
    return null;
  }
  const c = new Column(name, kind);
  p.columns.push(c);
  return c;
}

/** Returns the new column's index, or -1. scale/maxBuckets <= -1000 / 0 pick the defaults. */
export function profile_add_numeric(h: i32, namePtr: usize, nameLen: i32, scale: i32, maxBuckets: i32, center: f64): i32 {
  const p = get(h);
  if (p == null) return -1;
  if (scale <= -1000) scale = DEFAULT_SCALE;
  if (maxBuckets <= 0) maxBuckets = DEFAULT_MAX_BUCKETS;
  if (!validScale(scale)) {
    fail('scale must be between -10 and 8');
    return -1;
  }
  if (maxBuckets < 2 || maxBuckets > MAX_BUCKET_BUDGET) {
    fail('maxBuckets must be between 2 and ' + MAX_BUCKET_BUDGET.toString());
    return -1;
  }
  if (center == Infinity || center == -Infinity) {
    fail("center must be a finite number or 'auto'");
    return -1;
  }
  const c = addColumn(p, bytesAt(namePtr, nameLen), KIND_NUMERIC);
  if (c == null) return -1;
  c.exp = new ExpHistogram(scale, maxBuckets);
  c.exp!.center = center + 0.0; // NaN: automatic, chosen from the first values
  c.exact = new ExactValues();
  return p.columns.length - 1;
}

/** Edges are f64s at edgesPtr; nEdges == 0 picks 0..1 in 100 bins. */
export function profile_add_grid(h: i32, namePtr: usize, nameLen: i32, edgesPtr: usize, nEdges: i32): i32 {
  const p = get(h);
  if (p == null) return -1;
  let edges: StaticArray<f64>;
  if (nEdges == 0) {
    edges = linearEdges(0, 1, 100);
  } else {
    if (nEdges < 0 || nEdges > 100000) {
      fail('a grid has 1 to 100000 edges');
      return -1;
    }
    edges = new StaticArray<f64>(nEdges);
    memory.copy(changetype<usize>(edges), edgesPtr, <usize>nEdges << 3);
    if (!validEdges(edges)) {
      fail('grid edges must be finite and strictly increasing');
      return -1;
    }
  }
  const c = addColumn(p, bytesAt(namePtr, nameLen), KIND_GRID);
  if (c == null) return -1;
  c.grid = new FixedGrid(edges);
  return p.columns.length - 1;
}

/** nVocab < 0: no vocabulary (exact counts, then frequent items); else labels as in add_labels. */
export function profile_add_categorical(
  h: i32, namePtr: usize, nameLen: i32, capacity: i32, bytes: usize, offsets: usize, nVocab: i32,
): i32 {
  const p = get(h);
  if (p == null) return -1;
  if (capacity <= 0) capacity = DEFAULT_CAPACITY;
  if (capacity > MAX_CAPACITY || (nVocab >= 0 && nVocab + 1 > MAX_CAPACITY)) {
    fail('capacity must be at most ' + MAX_CAPACITY.toString());
    return -1;
  }
  let sketch: CategoricalSketch;
  if (nVocab >= 0) {
    const labels = new Array<StaticArray<u8>>();
    for (let i = 0; i < nVocab; i++) {
      const a = load<u32>(offsets + (<usize>i << 2));
      const b = load<u32>(offsets + (<usize>(i + 1) << 2));
      labels.push(bytesAt(bytes + a, <i32>(b - a)));
    }
    sketch = CategoricalSketch.withVocabulary(labels);
  } else {
    sketch = new CategoricalSketch(MODE_EXACT, capacity);
  }
  const c = addColumn(p, bytesAt(namePtr, nameLen), KIND_CATEGORICAL);
  if (c == null) return -1;
  c.cat = sketch;
  return p.columns.length - 1;
}

function numericColumn(h: i32, col: i32): Column | null {
  const c = column(h, col);
  if (c == null) return null;
  if (!c.isNumeric()) {
    fail('numbers go to numeric or grid columns');
    return null;
  }
  return c;
}

export function column_add_f64(h: i32, col: i32, ptr: usize, n: i32): bool {
  const c = numericColumn(h, col);
  if (c == null) return false;
  recordNumeric<f64>(c, ptr, 8, n);
  return true;
}

export function column_add_f32(h: i32, col: i32, ptr: usize, n: i32): bool {
  const c = numericColumn(h, col);
  if (c == null) return false;
  recordNumeric<f32>(c, ptr, 4, n);
  return true;
}

export function column_add_missing(h: i32, col: i32, n: i32): bool {
  const c = column(h, col);
  if (c == null) return false;
  recordMissing(c, <i64>n);
  return true;
}

/** Labels: UTF-8 bytes; label i is bytes[offsets[i] .. offsets[i+1]) (n+1 u32 offsets). */
export function column_add_labels(h: i32, col: i32, bytes: usize, offsets: usize, n: i32): bool {
  const c = column(h, col);
  if (c == null) return false;
  if (c.kind != KIND_CATEGORICAL) {
    fail('labels go to categorical columns');
    return false;
  }
  recordLabels(c, bytes, offsets, n);
  return true;
}

/** A row-major table: nRows × nCols values; column j of the table feeds profile column cols[j]. */
function addTable<T>(h: i32, cols: usize, nCols: i32, data: usize, nRows: i32): bool {
  const stride = <usize>nCols * sizeof<T>();
  for (let j = 0; j < nCols; j++) {
    const c = numericColumn(h, load<i32>(cols + (<usize>j << 2)));
    if (c == null) return false;
  }
  for (let j = 0; j < nCols; j++) {
    const c = column(h, load<i32>(cols + (<usize>j << 2)))!;
    recordNumeric<T>(c, data + <usize>j * sizeof<T>(), stride, nRows);
  }
  return true;
}

export function table_add_f64(h: i32, cols: usize, nCols: i32, data: usize, nRows: i32): bool {
  return addTable<f64>(h, cols, nCols, data, nRows);
}

export function table_add_f32(h: i32, cols: usize, nCols: i32, data: usize, nRows: i32): bool {
  return addTable<f32>(h, cols, nCols, data, nRows);
}

export function profile_set_meta(h: i32, k: usize, kLen: i32, v: usize, vLen: i32): bool {
  const p = get(h);
  if (p == null) return false;
  p.setMeta(bytesAt(k, kLen), bytesAt(v, vLen));
  return true;
}

/** Drops every metadata entry. */
export function profile_clear_meta(h: i32): bool {
  const p = get(h);
  if (p == null) return false;
  p.metaKeys = new Array<StaticArray<u8>>();
  p.metaValues = new Array<StaticArray<u8>>();
  return true;
}

// ---- merge and codec --------------------------------------------------------------------------

export function profile_merge(h: i32, other: i32): bool {
  const a = get(h);
  const b = get(other);
  if (a == null || b == null) return false;
  if (a == b) {
    fail('cannot merge a profile into itself');
    return false;
  }
  return mergeProfiles(a, b);
}

/** Encodes into the result buffer; returns the length. */
export function profile_encode(h: i32): i32 {
  const p = get(h);
  if (p == null) return -1;
  result = encodeProfile(p);
  return result.pos;
}

/** Decodes bytes at ptr; returns a handle, or 0 with the reason in last_error. */
export function profile_decode(ptr: usize, len: i32): i32 {
  const p = decodeProfile(ptr, <usize>len);
  return p == null ? 0 : register(p);
}

/** Decodes one device window (profile_decode plus the checks of an upload, see validate.ts). */
export function profile_decode_upload(ptr: usize, len: i32): i32 {
  const p = decodeUpload(ptr, <usize>len);
  return p == null ? 0 : register(p);
}

export function profile_add_noise(h: i32, scale: f64, seed: usize): bool {
  const p = get(h);
  if (p == null) return false;
  return addNoise(p, scale, seed);
}

/** The profile's cell vector (assembly/shares.ts) as i64 in the result buffer; returns the count. */
export function profile_cells(h: i32): i32 {
  const p = get(h);
  if (p == null) return -1;
  const n = cellCount(p);
  if (n < 0) return -1;
  const w = fresh();
  w.ensure(n << 3);
  readCells(p, changetype<usize>(w.buf));
  w.pos = n << 3;
  return n;
}

/** Replaces the profile's cells with the n i64 at ptr (n must be its cell count). */
export function profile_set_cells(h: i32, ptr: usize, n: i32): bool {
  const p = get(h);
  if (p == null) return false;
  const want = cellCount(p);
  if (want < 0) return false;
  if (want != n) {
    fail('the profile has ' + want.toString() + ' cells, not ' + n.toString());
    return false;
  }
  writeCells(p, ptr);
  return true;
}

/** The leader's share of n cells at `cells` with the helper's mask at `mask`, written to `out`. */
export function shares_split(cells: usize, mask: usize, out: usize, n: i32): void {
  splitShares(cells, mask, out, n);
}

/** acc += x over n cells, modulo 2^64. */
export function shares_add(acc: usize, x: usize, n: i32): void {
  addShares(acc, x, n);
}

/** Two-sided geometric noise of scale b on n cells at acc, from 32 seed bytes at seed. */
export function shares_noise(acc: usize, n: i32, scale: f64, seed: usize): bool {
  return noiseShares(acc, n, scale, seed);
}

/** Drops every categorical sketch's HyperLogLog registers (their distinct counts become NaN). */
export function profile_withhold_registers(h: i32): bool {
  const p = get(h);
  if (p == null) return false;
  for (let i = 0; i < p.columns.length; i++) {
    const c = p.columns[i];
    if (c.cat != null) c.cat!.withholdRegisters();
  }
  return true;
}

// ---- reading ----------------------------------------------------------------------------------

export function profile_column_count(h: i32): i32 {
  const p = get(h);
  return p == null ? -1 : p.columns.length;
}

export function profile_find(h: i32, namePtr: usize, nameLen: i32): i32 {
  const p = get(h);
  return p == null ? -1 : p.find(bytesAt(namePtr, nameLen));
}

export function profile_meta_count(h: i32): i32 {
  const p = get(h);
  return p == null ? -1 : p.metaKeys.length;
}

/** Writes meta key i then value i (each varint length + bytes) to the result buffer. */
export function profile_meta_entry(h: i32, i: i32): i32 {
  const p = get(h);
  if (p == null || i < 0 || i >= p.metaKeys.length) return -1;
  const w = fresh();
  w.str(p.metaKeys[i]);
  w.str(p.metaValues[i]);
  return w.pos;
}

export function column_name(h: i32, i: i32): i32 {
  const c = column(h, i);
  if (c == null) return -1;
  const w = fresh();
  w.str(c.name);
  return w.pos;
}

/** Every column's name and kind in one call: per column, f64 kind then the name (varint + bytes). */
export function profile_columns(h: i32): i32 {
  const p = get(h);
  if (p == null) return -1;
  const w = fresh();
  w.f64(<f64>p.columns.length);
  for (let i = 0; i < p.columns.length; i++) {
    w.f64(<f64>p.columns[i].kind);
    w.str(p.columns[i].name);
  }
  return w.pos;
}

export function column_kind(h: i32, i: i32): i32 {
  const c = column(h, i);
  return c == null ? -1 : c.kind;
}

/**
 * Writes a column's summary to the result buffer as f64s (and labels): the layout is read by
 * src/core/summary.ts, which is the only reader.
 */
export function column_summary(h: i32, i: i32): i32 {
  const c = column(h, i);
  if (c == null) return -1;
  const w = fresh();
  const k = c.counters;
  w.f64(<f64>c.kind);
  w.f64(<f64>k.count);
  w.f64(<f64>k.missing);
  w.f64(<f64>k.nan);
  w.f64(<f64>k.posInf);
  w.f64(<f64>k.negInf);
  w.f64(c.noisy ? 1 : 0);
  if (c.kind == KIND_CATEGORICAL) {
    const s = c.cat!;
    w.f64(<f64>s.mode);
    w.f64(<f64>s.errorBound);
    w.f64(s.distinct());
    const keys = s.orderedKeys();
    w.f64(<f64>keys.length);
    for (let j = 0; j < keys.length; j++) {
      const it = s.items.get(keys[j]);
      w.f64(<f64>it.count);
      w.str(it.label);
    }
    return w.pos;
  }
  const m = c.moments;
  w.f64(<f64>m.n);
  w.f64(c.noisy ? NaN : m.sum);
  w.f64(meanOf(c));
  const sd = stdOf(c);
  w.f64(sd * sd);
  w.f64(sd);
  w.f64(c.noisy ? NaN : m.min);
  w.f64(c.noisy ? NaN : m.max);
  if (c.kind == KIND_NUMERIC) {
    const e = c.exp!;
    w.f64(<f64>e.scale);
    w.f64(e.center);
    w.f64(relativeErrorAt(e.scale));
    w.f64(<f64>e.zero);
    writeRunSummary(w, e.pos.lo, e.pos.len, e.pos.counts);
    writeRunSummary(w, e.neg.lo, e.neg.len, e.neg.counts);
    if (c.exact == null) {
      w.f64(-1);
    } else {
      const values = new Array<f64>();
      const counts = new Array<i64>();
      c.exact!.sorted(values, counts);
      w.f64(<f64>values.length);
      for (let j = 0; j < values.length; j++) {
        w.f64(values[j]);
        w.f64(<f64>counts[j]);
      }
    }
  } else {
    const g = c.grid!;
    w.f64(<f64>g.edges.length);
    for (let j = 0; j < g.edges.length; j++) w.f64(g.edges[j]);
    for (let j = 0; j < g.counts.length; j++) w.f64(<f64>g.counts[j]);
  }
  return w.pos;
}

function writeRunSummary(w: Writer, lo: i32, len: i32, counts: StaticArray<i64> | null): void {
  w.f64(<f64>lo);
  w.f64(<f64>len);
  for (let j = 0; j < len; j++) w.f64(<f64>counts![j]);
}

export function column_quantile(h: i32, i: i32, q: f64): f64 {
  const c = column(h, i);
  if (c == null || !c.isNumeric()) return NaN;
  return quantileOf(c, q);
}

/**
 * How many of a numeric column's finite values are at or below x: the mass of the cells wholly
 * below it plus the share of the cell holding it (its mass spread evenly), at the column's own
 * resolution. An SLO's good events under a latency threshold. NaN for other columns.
 */
export function column_count_at_most(h: i32, i: i32, x: f64): f64 {
  const c = column(h, i);
  if (c == null || !c.isNumeric()) return NaN;
  const cells = cellsOf(c, c.exp != null ? c.exp!.scale : 8);
  const xs = new Array<f64>();
  xs.push(x);
  const right = new Array<f64>();
  const left = new Array<f64>();
  cdfAt(cells, xs, right, left);
  return right[0];
}

/**
 * A numeric column's cells as explicit right-closed buckets of x itself (OpenTelemetry's explicit
 * histogram): ascending bounds b_0 < … < b_{m−1}, then m + 1 counts for (−∞, b_0], (b_k−1, b_k], …,
 * (b_{m−1}, +∞). Exact: each cell's mass lies in (from, hi], and a centred histogram's cells are
 * already in x (a negative bucket [l, u) is (below(l), below(u)] in doubles). Written as
 * [m, bounds…, counts…]; returns how many f64s.
 */
export function column_buckets(h: i32, i: i32): i32 {
  const c = column(h, i);
  if (c == null) return -1;
  if (!c.isNumeric() || c.noisy) {
    fail('explicit buckets need a numeric column without noise');
    return -1;
  }
  const cells = cellsOf(c, c.exp != null ? c.exp!.scale : 8);
  const bounds = new Array<f64>();
  const counts = new Array<f64>(); // counts[k]: the bucket ending at bounds[k]
  for (let k = 0; k < cells.n.length; k++) {
    if (!(cells.n[k] > 0)) continue;
    const from = cells.from[k] == cells.from[k] && isFinite(cells.from[k]) ? cells.from[k] : below(cells.lo[k]);
    if (bounds.length == 0 || from > bounds[bounds.length - 1]) {
      bounds.push(from);
      counts.push(0);
    }
    const hi = cells.hi[k];
    if (hi > bounds[bounds.length - 1]) {
      bounds.push(hi);
      counts.push(cells.n[k]);
    } else {
      counts[counts.length - 1] += cells.n[k];
    }
  }
  counts.push(0); // (b_{m−1}, +∞): nothing lies above the maximum
  const w = fresh();
  w.f64(<f64>bounds.length);
  for (let k = 0; k < bounds.length; k++) w.f64(bounds[k]);
  for (let k = 0; k < counts.length; k++) w.f64(counts[k]);
  return 1 + bounds.length + counts.length;
}

/**
 * Percentile edges for a private-mode grid: the column's quantiles at 1/bins … (bins-1)/bins,
 * strictly increasing (ties collapse). Written as f64s; returns how many.
 */
export function column_percentile_edges(h: i32, i: i32, bins: i32): i32 {
  const c = column(h, i);
  if (c == null) return -1;
  if (!c.isNumeric() || bins < 2 || bins > 100000) {
    fail('percentile edges need a numeric column and 2 to 100000 bins');
    return -1;
  }
  const w = fresh();
  let n = 0;
  let prev = -Infinity;
  for (let j = 1; j < bins; j++) {
    const v = quantileOf(c, <f64>j / <f64>bins);
    if (isFinite(v) && v > prev) {
      w.f64(v);
      prev = v;
      n++;
    }
  }
  return n;
}

/** Compares column ib of profile hb (current) with column ia of profile ha (baseline). */
export function compare_columns(ha: i32, ia: i32, hb: i32, ib: i32): i32 {
  const a = column(ha, ia);
  const b = column(hb, ib);
  if (a == null || b == null) return -1;
  if (a.isNumeric() != b.isNumeric()) {
    fail('cannot compare a numeric column with a categorical one');
    return -1;
  }
  const w = fresh();
  if (a.isNumeric()) compareNumeric(a, b, w);
  else compareCategorical(a, b, w);
  return w.pos >> 3;
}

// ---- performance from feedback columns (performance.ts) ---------------------------------------

function gridColumn(h: i32, i: i32): FixedGrid | null {
  const c = column(h, i);
  if (c == null) return null;
  if (c.grid == null) {
    fail('performance statistics read fixed-grid columns');
    return null;
  }
  return c.grid;
}

/**
 * ROC AUC of profile h: grid column ip holds the positives' scores, the nNeg grid columns whose
 * indices are i32s at negs the negatives' (one per other label).
 */
export function roc_auc(h: i32, ip: i32, negs: usize, nNeg: i32): i32 {
  const p = gridColumn(h, ip);
  if (p == null) return -1;
  const n = new Array<FixedGrid>();
  for (let j = 0; j < nNeg; j++) {
    const g = gridColumn(h, load<i32>(negs + (<usize>j << 2)));
    if (g == null) return -1;
    n.push(g);
  }
  const w = fresh();
  return rocAuc(p, n, w) ? w.pos >> 3 : -1;
}

/** Calibration from grid column ia of ha (all labelled rows) and ic of hc (correct ones). */
export function calibration_error(ha: i32, ia: i32, hc: i32, ic: i32): i32 {
  const a = gridColumn(ha, ia);
  const c = gridColumn(hc, ic);
  if (a == null || c == null) return -1;
  const w = fresh();
  return calibration(a, c, w) ? w.pos >> 3 : -1;
}

/** A k×k confusion matrix of f64s at ptr (row = true label). */
export function confusion_metrics(ptr: usize, k: i32): i32 {
  if (k < 1 || k > 4096) {
    fail('a confusion matrix has 1 to 4096 classes');
    return -1;
  }
  const w = fresh();
  confusionMetrics(ptr, k, w);
  return w.pos >> 3;
}

/** n noise scales (f64) at scales, n upload counts (f64) at uploads. */
export function noise_error(scales: usize, uploads: usize, n: i32): i32 {
  if (n < 0) {
    fail('negative count');
    return -1;
  }
  for (let j = 0; j < n; j++) {
    const b = load<f64>(scales + (<usize>j << 3));
    const u = load<f64>(uploads + (<usize>j << 3));
    if (!(b > 0) || !isFinite(b) || !(u >= 0)) {
      fail('noise scales are positive and upload counts non-negative');
      return -1;
    }
  }
  const w = fresh();
  noiseError(scales, uploads, n, w);
  return w.pos >> 3;
}
