// The one binary format for profiles (and so for single histograms and uploads).
//
//   "EWPF" u8:version(2) varint:nMeta (str key, str value)* varint:nColumns column*
//   column  = str:name u8:kind u8:flags zz:count zz:missing zz:nan zz:posInf zz:negInf body
//   numeric = moments zz:scale varint:maxBuckets f64:center u8:mode (exact | sketch)
//   exact   = varint:n (f64:value zz:count)*  ascending distinct values; the histogram is rebuilt
//   sketch  = zz:zero run:positive run:negative
//   grid    = moments varint:nEdges f64:edges[n] zz:counts[n+1]
//   categorical = u8:mode varint:capacity zz:errorBound varint:nItems (str label, zz count)*
//                 [mode sketch: u8:hllEncoding registers (none when the encoding is 2, withheld)]
//   moments = zz:finite f64:sum f64:mean f64:sd f64:min f64:max
//   run     = varint:len [zz:lo zz:delta-of-count × len]
// varint: unsigned LEB128; zz: zigzag LEB128 (signed). f64: little-endian IEEE 754.
//
// The decoder trusts nothing: every length is checked against what is left of the input before
// anything is allocated, every count against the sketch's own invariants, and the first problem
// ends decoding with a one-line reason. It never traps.
import { Column, KIND_CATEGORICAL, KIND_GRID, KIND_NUMERIC } from './column';
import { ExactValues, EXACT_CAPACITY } from './exact_values';
import { bucketIndex } from './bucket_index';
import { ExpHistogram, MAX_BUCKET_BUDGET, validScale, BucketRun } from './exphist';
import { FixedGrid, validEdges } from './grid';
import {
  CategoricalSketch, Item, hashOf, MODE_EXACT, MODE_SKETCH, MODE_VOCABULARY, MAX_CAPACITY, OTHER_LABEL, bytesOf,
} from './categorical';
import { HLL_M } from './hll';
import { MAX_COLUMNS, Profile } from './profile';
import { fail, labelText } from './errors';
import { columnProblem, uploadProblem } from './validate';

export const FORMAT_VERSION: u8 = 2;
/** Version 1 kept M2 where version 2 keeps the population standard deviation. */
const VERSION_M2: u8 = 1;
const MAGIC: u32 = 0x46505745; // "EWPF" read little-endian
const MAX_META: i32 = 256;
const MAX_STRING: i32 = 65536;
const MAX_EDGES: i32 = 100000;
const FLAG_NOISY: u8 = 1;
const MAX_COUNT: i64 = 9007199254740992; // 2^53
const HLL_DENSE: u8 = 0;
const HLL_SPARSE: u8 = 1;
/** The registers were withheld (the distinct count is unknown). */
const HLL_WITHHELD: u8 = 2;
const NUMERIC_SKETCH: u8 = 0;
const NUMERIC_EXACT: u8 = 1;

// ---- writing ----------------------------------------------------------------------------------

export class Writer {
  buf: StaticArray<u8> = new StaticArray<u8>(256);
  pos: i32 = 0;

  ensure(n: i32): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new StaticArray<u8>(cap);
    memory.copy(changetype<usize>(next), changetype<usize>(this.buf), this.pos);
    this.buf = next;
  }

  u8(v: u8): void {
    this.ensure(1);
    unchecked((this.buf[this.pos++] = v));
  }

  varint(v: u64): void {
    this.ensure(10);
    while (v >= 0x80) {
      unchecked((this.buf[this.pos++] = <u8>(v | 0x80)));
      v >>= 7;
    }
    unchecked((this.buf[this.pos++] = <u8>v));
  }

  zz(v: i64): void {
    this.varint(<u64>((v << 1) ^ (v >> 63)));
  }

  f64(v: f64): void {
    this.ensure(8);
    store<f64>(changetype<usize>(this.buf) + this.pos, v);
    this.pos += 8;
  }

  str(s: StaticArray<u8>): void {
    this.varint(s.length);
    this.ensure(s.length);
    memory.copy(changetype<usize>(this.buf) + this.pos, changetype<usize>(s), s.length);
    this.pos += s.length;
  }
}

export function encodeProfile(p: Profile): Writer {
  const w = new Writer();
  w.ensure(4);
  store<u32>(changetype<usize>(w.buf), MAGIC);
  w.pos = 4;
  w.u8(FORMAT_VERSION);
  w.varint(p.metaKeys.length);
  for (let i = 0; i < p.metaKeys.length; i++) {
    w.str(p.metaKeys[i]);
    w.str(p.metaValues[i]);
  }
  w.varint(p.columns.length);
  for (let i = 0; i < p.columns.length; i++) writeColumn(w, p.columns[i]);
  return w;
}

function writeColumn(w: Writer, c: Column): void {
  w.str(c.name);
  w.u8(c.kind);
  w.u8(c.noisy ? FLAG_NOISY : 0);
  const k = c.counters;
  w.zz(k.count);
  w.zz(k.missing);
  w.zz(k.nan);
  w.zz(k.posInf);
  w.zz(k.negInf);
  if (c.kind == KIND_CATEGORICAL) {
    writeCategorical(w, c.cat!);
    return;
  }
  const m = c.moments;
  w.zz(m.n);
  w.f64(m.sum);
  w.f64(m.mean);
  w.f64(m.sd);
  w.f64(m.min);
  w.f64(m.max);
  if (c.kind == KIND_NUMERIC) {
    const h = c.exp!;
    w.zz(h.scale);
    w.varint(h.maxBuckets);
    w.f64(h.center);
    if (c.exact != null) {
      w.u8(NUMERIC_EXACT);
      writeExact(w, c.exact!);
      return;
    }
    w.u8(NUMERIC_SKETCH);
    w.zz(h.zero);
    writeRun(w, h.pos);
    writeRun(w, h.neg);
  } else {
    const g = c.grid!;
    w.varint(g.edges.length);
    for (let i = 0; i < g.edges.length; i++) w.f64(unchecked(g.edges[i]));
    for (let i = 0; i < g.counts.length; i++) w.zz(unchecked(g.counts[i]));
  }
}

function writeExact(w: Writer, e: ExactValues): void {
  const values = new Array<f64>();
  const counts = new Array<i64>();
  e.sorted(values, counts);
  w.varint(values.length);
  for (let i = 0; i < values.length; i++) {
    w.f64(values[i]);
    w.zz(counts[i]);
  }
}

function writeRun(w: Writer, r: BucketRun): void {
  // Canonical: empty buckets at either end are not written.
  let a = 0;
  let b = r.len - 1;
  while (a <= b && r.counts![a] == 0) a++;
  while (b >= a && r.counts![b] == 0) b--;
  const len = b - a + 1;
  w.varint(len);
  if (len == 0) return;
  w.zz(r.lo + a);
  let prev: i64 = 0;
  for (let k = a; k <= b; k++) {
    const v = unchecked(r.counts![k]);
    w.zz(v - prev);
    prev = v;
  }
}

function writeCategorical(w: Writer, s: CategoricalSketch): void {
  w.u8(s.mode);
  w.varint(s.capacity);
  w.zz(s.errorBound);
  const keys = s.orderedKeys();
  w.varint(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const it = s.items.get(keys[i]);
    w.str(it.label);
    w.zz(it.count);
  }
  if (s.mode != MODE_SKETCH) return;
  if (s.hll == null) {
    w.u8(HLL_WITHHELD);
    return;
  }
  const regs = s.hll!;
  let nonZero = 0;
  for (let i = 0; i < HLL_M; i++) if (unchecked(regs[i]) != 0) nonZero++;
  if (nonZero * 3 < HLL_M) {
    w.u8(HLL_SPARSE);
    w.varint(nonZero);
    let last = -1;
    for (let i = 0; i < HLL_M; i++) {
      const v = unchecked(regs[i]);
      if (v == 0) continue;
      w.varint(i - last);
      w.u8(v);
      last = i;
    }
  } else {
    w.u8(HLL_DENSE);
    w.ensure(HLL_M);
    memory.copy(changetype<usize>(w.buf) + w.pos, changetype<usize>(regs), HLL_M);
    w.pos += HLL_M;
  }
}

// ---- reading ----------------------------------------------------------------------------------

// What decoding may allocate beyond the input's own size: a sketch's registers or a column's
// objects are charged here, so a payload of many tiny columns cannot ask for far more memory than
// it brought.
const ALLOC_PER_BYTE: i64 = 32;
const ALLOC_BASE: i64 = 65536;
const COLUMN_COST: i64 = 256;

class Reader {
  pos: usize;
  ok: bool = true;
  budget: i64;
  version: u8 = FORMAT_VERSION;

  constructor(public start: usize, public end: usize) {
    this.pos = start;
    this.budget = ALLOC_BASE + ALLOC_PER_BYTE * <i64>(end - start);
  }

  /** Charges `n` bytes of allocation; false (and decoding ends) once the budget is spent. */
  spend(n: i64): bool {
    this.budget -= n;
    if (this.budget < 0) this.bad('payload asks for more memory than its size allows');
    return this.ok;
  }

  left(): i64 {
    return <i64>(this.end - this.pos);
  }

  bad(reason: string): void {
    if (!this.ok) return;
    this.ok = false;
    fail('invalid profile at byte ' + (this.pos - this.start).toString() + ': ' + reason);
  }

  u8(): u8 {
    if (this.pos >= this.end) {
      this.bad('unexpected end of data');
      return 0;
    }
    return load<u8>(this.pos++);
  }

  varint(): u64 {
    let v: u64 = 0;
    for (let shift: u64 = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) {
        this.bad('unexpected end of data');
        return 0;
      }
      const b = load<u8>(this.pos++);
      if (shift == 63 && b > 1) break;
      v |= <u64>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    this.bad('varint too long');
    return 0;
  }

  /** A count, bounded so it can never ask for more items than bytes are left. */
  length(max: i64, what: string): i32 {
    const v = this.varint();
    if (!this.ok) return 0;
    if (v > <u64>max || <i64>v > this.left()) {
      this.bad(what + ' ' + v.toString() + ' out of range');
      return 0;
    }
    return <i32>v;
  }

  zz(): i64 {
    const u = this.varint();
    return <i64>(u >> 1) ^ -(<i64>(u & 1));
  }

  /** A signed count; beyond ±2^53 it could not be read back exactly by JavaScript. */
  count(): i64 {
    const v = this.zz();
    if (v > MAX_COUNT || v < -MAX_COUNT) this.bad('count out of range');
    return v;
  }

  f64(): f64 {
    if (this.left() < 8) {
      this.bad('unexpected end of data');
      return 0;
    }
    const v = load<f64>(this.pos);
    this.pos += 8;
    return v;
  }

  str(what: string): StaticArray<u8> {
    const n = this.length(MAX_STRING, what + ' length');
    const s = new StaticArray<u8>(n);
    if (!this.ok) return s;
    memory.copy(changetype<usize>(s), this.pos, n);
    this.pos += n;
    return s;
  }
}

/** Decodes one device window: the profile's invariants plus those of an upload (validate.ts). */
export function decodeUpload(ptr: usize, len: usize): Profile | null {
  const p = decodeProfile(ptr, len);
  if (p == null) return null;
  const why = uploadProblem(p);
  if (why == null) return p;
  fail('invalid upload: ' + why);
  return null;
}

export function decodeProfile(ptr: usize, len: usize): Profile | null {
  const r = new Reader(ptr, ptr + len);
  if (len < 5 || load<u32>(ptr) != MAGIC) {
    fail('not an edgewatch profile (bad magic bytes)');
    return null;
  }
  r.pos += 4;
  const version = r.u8();
  if (version > FORMAT_VERSION) {
    fail(
      'profile format version ' + version.toString() + ' is newer than this edgewatch reads (' +
        FORMAT_VERSION.toString() + '); upgrade edgewatch',
    );
    return null;
  }
  if (version == 0) {
    fail('invalid profile: format version 0');
    return null;
  }
  r.version = version;
  const p = new Profile();
  const nMeta = r.length(MAX_META, 'metadata count');
  for (let i = 0; r.ok && i < nMeta; i++) {
    const k = r.str('metadata key');
    const v = r.str('metadata value');
    p.metaKeys.push(k);
    p.metaValues.push(v);
  }
  const nCols = r.length(MAX_COLUMNS, 'column count');
  for (let i = 0; r.ok && i < nCols; i++) {
    if (!r.spend(COLUMN_COST)) break;
    const c = readColumn(r);
    if (!r.ok) break;
    const why = columnProblem(c);
    if (why != null) {
      r.bad("column '" + labelText(c.name) + "': " + why);
      break;
    }
    if (p.find(c.name) >= 0) r.bad('duplicate column name');
    p.columns.push(c);
  }
  if (r.ok && r.pos != r.end) r.bad('trailing bytes after the last column');
  return r.ok ? p : null;
}

function readColumn(r: Reader): Column {
  const name = r.str('column name');
  const kind = r.u8();
  const flags = r.u8();
  const c = new Column(name, kind);
  if (!r.ok) return c;
  if (kind < KIND_NUMERIC || kind > KIND_CATEGORICAL) {
    r.bad('unknown column kind ' + kind.toString());
    return c;
  }
  if ((flags & ~FLAG_NOISY) != 0) {
    r.bad('unknown column flags');
    return c;
  }
  c.noisy = (flags & FLAG_NOISY) != 0;
  const k = c.counters;
  k.count = r.count();
  k.missing = r.count();
  k.nan = r.count();
  k.posInf = r.count();
  k.negInf = r.count();
  if (!r.ok) return c;
  if (!c.noisy && (k.count < 0 || k.missing < 0 || k.nan < 0 || k.posInf < 0 || k.negInf < 0)) {
    r.bad('negative counter');
    return c;
  }
  if (kind == KIND_CATEGORICAL) {
    readCategorical(r, c);
    return c;
  }
  const m = c.moments;
  m.n = r.count();
  m.sum = r.f64();
  m.mean = r.f64();
  m.sd = r.f64();
  m.min = r.f64();
  m.max = r.f64();
  if (!r.ok) return c;
  // Checked before a version-1 M2 becomes a spread, so that a negative or NaN M2 is refused,
  // not turned into 0.
  if (!c.noisy && !(m.sd >= 0 && m.sd < Infinity)) return bad(r, c, r.version == VERSION_M2 ? 'M2 must be finite and not negative' : 'spread must be finite and not negative');
  if (r.version == VERSION_M2) m.sd = m.n > 0 && m.sd > 0 ? Math.sqrt(m.sd / <f64>m.n) : 0;
  if (!c.noisy) {
    if (m.n < 0) return bad(r, c, 'negative value count');
    if (k.count != k.missing + k.nan + k.posInf + k.negInf + m.n) return bad(r, c, 'counters do not add up');
    if (m.n > 0 && !(m.min <= m.max)) return bad(r, c, 'min above max');
  }
  let cells: i64 = 0;
  if (kind == KIND_NUMERIC) {
    const scale = <i32>r.zz();
    const budget = r.varint();
    if (!r.ok) return c;
    if (!validScale(scale)) return bad(r, c, 'scale out of range');
    if (budget < 1 || budget > <u64>MAX_BUCKET_BUDGET) return bad(r, c, 'bucket budget out of range');
    const h = new ExpHistogram(scale, <i32>budget);
    c.exp = h;
    if (r.version != VERSION_M2) h.center = r.f64();
    const mode = r.version == VERSION_M2 ? NUMERIC_SKETCH : r.u8();
    if (!r.ok) return c;
    // NaN: an automatic center not chosen yet, which only a column without values can have.
    if (h.center == h.center ? !isFinite(h.center) : m.n != 0) return bad(r, c, 'bad center');
    if (h.center == 0) h.center = 0; // one zero: −0 and +0 make the same buckets
    if (mode == NUMERIC_EXACT) {
      if (c.noisy) return bad(r, c, 'exact values cannot be noisy');
      cells = readExact(r, c, h);
    } else if (mode == NUMERIC_SKETCH) {
      h.zero = r.count();
      cells = h.zero + readRun(r, h.pos, scale) + readRun(r, h.neg, scale);
    } else {
      return bad(r, c, 'unknown numeric mode');
    }
  } else {
    const n = r.length(MAX_EDGES, 'edge count');
    if (!r.ok) return c;
    if (n == 0 || <i64>n * 8 > r.left()) return bad(r, c, 'edge count out of range');
    const edges = new StaticArray<f64>(n);
    for (let i = 0; i < n; i++) unchecked((edges[i] = r.f64()));
    if (!validEdges(edges)) return bad(r, c, 'grid edges must be finite and strictly increasing');
    const g = new FixedGrid(edges);
    c.grid = g;
    if (<i64>(n + 1) > r.left()) return bad(r, c, 'grid counts missing');
    for (let i = 0; i <= n; i++) {
      const v = r.count();
      if (!c.noisy && v < 0) return bad(r, c, 'negative bin count');
      unchecked((g.counts[i] = v));
      cells += v;
    }
  }
  if (r.ok && !c.noisy && cells != m.n) r.bad('bucket counts do not add up to the value count');
  return c;
}

function bad(r: Reader, c: Column, reason: string): Column {
  r.bad(reason);
  return c;
}

/**
 * Distinct finite values, ascending, each with a positive count, at most the capacity; the
 * histogram is rebuilt from them, so it cannot disagree with them. Returns the value count.
 */
function readExact(r: Reader, c: Column, h: ExpHistogram): i64 {
  const n = r.length(EXACT_CAPACITY, 'exact value count');
  const e = new ExactValues();
  c.exact = e;
  let total: i64 = 0;
  let prev: f64 = -Infinity;
  for (let i = 0; r.ok && i < n; i++) {
    const v = r.f64();
    const k = r.count();
    if (!r.ok) return 0;
    if (!isFinite(v) || (i > 0 && !(v > prev)) || (v == 0 && 1 / v < 0)) {
      r.bad('exact values must be finite, ascending and distinct');
      return 0;
    }
    if (k <= 0) {
      r.bad('exact value without a positive count');
      return 0;
    }
    if (c.moments.n > 0 && (v < c.moments.min || v > c.moments.max)) {
      r.bad('exact value outside min..max');
      return 0;
    }
    e.add(v, k);
    // The same deviation, computed the same way, as when the value was recorded.
    h.addDeviation(v - h.center, k);
    total += k;
    if (total > MAX_COUNT) {
      r.bad('count out of range');
      return 0;
    }
    prev = v;
  }
  return total;
}

function clampFinite(v: f64): f64 {
  return isFinite(v) ? v : v > 0 ? F64.MAX_VALUE : -F64.MAX_VALUE;
}

// Bucket indices of the smallest subnormal and the largest finite double at scale 8.
const MIN_INDEX8: i32 = -1074 * 256 - 1;
const MAX_INDEX8: i32 = 1024 * 256 - 1;

function readRun(r: Reader, run: BucketRun, scale: i32): i64 {
  const len = r.length(run.cap, 'bucket run length');
  if (!r.ok || len == 0) return 0;
  const lo = r.zz();
  if (lo < <i64>(MIN_INDEX8 >> (8 - scale)) || lo + <i64>len - 1 > <i64>(MAX_INDEX8 >> (8 - scale))) {
    r.bad('bucket index out of range');
    return 0;
  }
  run.counts = new StaticArray<i64>(len);
  run.lo = <i32>lo;
  run.len = len;
  let v: i64 = 0;
  let total: i64 = 0;
  for (let k = 0; k < len; k++) {
    v += r.count();
    if (v < 0 || v > MAX_COUNT) {
      r.bad('negative bucket count');
      return 0;
    }
    unchecked((run.counts![k] = v));
    total += v;
  }
  return total;
}

function readCategorical(r: Reader, c: Column): void {
  const mode = r.u8();
  const capacity = r.varint();
  const errorBound = r.count();
  if (!r.ok) return;
  if (mode > MODE_VOCABULARY) return r.bad('unknown categorical mode');
  if (capacity < 1 || capacity > <u64>MAX_CAPACITY) return r.bad('capacity out of range');
  if (errorBound < 0 || (mode != MODE_SKETCH && errorBound != 0)) return r.bad('bad error bound');
  const s = new CategoricalSketch(mode, <i32>capacity);
  s.errorBound = errorBound;
  c.cat = s;
  // Recording keeps at most 2·capacity counters, merging keeps the union of its parts' items:
  // a merged sketch has no fixed limit, only the bytes left (each item takes some).
  const maxItems: i64 = mode == MODE_SKETCH ? <i64>i32.MAX_VALUE : <i64>capacity;
  const n = r.length(maxItems, 'item count');
  const order = new Array<u64>();
  let prev: u64 = 0;
  let total: i64 = 0;
  for (let i = 0; r.ok && i < n; i++) {
    const label = r.str('label');
    const count = r.count();
    if (!r.ok) return;
    const h = hashOf(label);
    if (s.items.has(h)) return r.bad('duplicate category');
    if (mode != MODE_VOCABULARY && i > 0 && h <= prev) return r.bad('categories out of order');
    if (!c.noisy && count < 0) return r.bad('negative category count');
    if (mode == MODE_SKETCH && count <= 0) return r.bad('empty frequent item');
    prev = h;
    s.items.set(h, new Item(label, count));
    order.push(h);
    total += count;
  }
  if (!r.ok) return;
  if (mode == MODE_VOCABULARY) {
    s.otherKey = hashOf(bytesOf(OTHER_LABEL));
    if (!s.items.has(s.otherKey)) return r.bad('vocabulary without __other__');
    if (<u64>n != capacity) return r.bad('vocabulary size does not match its capacity');
    s.vocabulary = order;
  }
  if (mode == MODE_SKETCH) {
    const enc = r.u8();
    if (!r.ok) return;
    if (enc == HLL_WITHHELD) {
      s.hll = null;
    } else {
      if (!r.spend(HLL_M)) return;
      s.hll = new StaticArray<u8>(HLL_M);
      readRegisters(r, s.hll!, enc);
      if (!r.ok) return;
    }
  }
  const k = c.counters;

  if (!c.noisy) {
    if (k.nan != 0 || k.posInf != 0 || k.negInf != 0) return r.bad('categorical column with numeric counters');
    const seen = k.count - k.missing;
    if (mode == MODE_SKETCH ? total > seen : total != seen) r.bad('category counts do not add up');
  }
}

function readRegisters(r: Reader, regs: StaticArray<u8>, enc: u8): void {
  if (enc == HLL_DENSE) {
    if (r.left() < HLL_M) return r.bad('unexpected end of data');
    memory.copy(changetype<usize>(regs), r.pos, HLL_M);
    r.pos += HLL_M;
  } else if (enc == HLL_SPARSE) {
    const nz = r.length(HLL_M, 'register count');
    let idx: i64 = -1;
    for (let i = 0; r.ok && i < nz; i++) {
      idx += <i64>r.varint();
      const v = r.u8();
      if (!r.ok) return;
      if (idx >= HLL_M || v == 0) return r.bad('bad register');
      unchecked((regs[<i32>idx] = v));
    }
  } else {
    return r.bad('unknown register encoding');
  }
  for (let i = 0; i < HLL_M; i++) if (unchecked(regs[i]) > 53) return r.bad('bad register');
}
