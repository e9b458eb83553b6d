// Semantic validation: what a decoded column, an upload and a merge must satisfy beyond being
// well formed. The codec calls columnProblem() on every column it reads and mergeProfiles calls
// mergeProblem() before it changes anything, so both ends of the data path (the device that
// records, the collector that stores and rolls up) hold the same invariants; uploadProblem()
// adds what only a single device window must satisfy (a stored rollup legitimately merges
// windows of different columns, modes and sizes). Each returns a one-line reason, or null.
import { Column, KIND_CATEGORICAL, KIND_GRID, KIND_NUMERIC } from './column';
import { MODE_SKETCH } from './categorical';
import { BucketRun } from './exphist';
import { Profile } from './profile';
import { rowCountProblem } from './row_families';

const SUBNORMAL_ULP: f64 = reinterpret<f64>(<u64>1);

/** The largest count any sketch may hold: beyond it a double (and JavaScript) loses integers. */
export const MAX_COUNT: i64 = 9007199254740992; // 2^53
/** The largest row count of one device window: far above any real device, far below 2^53. */
export const MAX_UPLOAD_COUNT: i64 = 4294967296; // 2^32

// ---- names ------------------------------------------------------------------------------------

/** A name is non-empty, valid UTF-8 and free of control characters (it ends up in logs and UIs). */
export function nameProblem(b: StaticArray<u8>, what: string): string | null {
  if (b.length == 0) return what + ' is empty';
  let i = 0;
  while (i < b.length) {
    const c = <u32>unchecked(b[i]);
    if (c < 0x20 || c == 0x7f) return what + ' has a control character';
    if (c < 0x80) {
      i++;
      continue;
    }
    // UTF-8: the lead byte says how many continuation bytes follow; no overlong forms, no
    // surrogates, nothing past U+10FFFF.
    let n = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else return what + ' is not valid UTF-8';
    if (i + n >= b.length) return what + ' is not valid UTF-8';
    for (let k = 1; k <= n; k++) {
      const d = <u32>unchecked(b[i + k]);
      if ((d & 0xc0) != 0x80) return what + ' is not valid UTF-8';
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return what + ' is not valid UTF-8';
    if (cp >= 0x80 && cp < 0xa0) return what + ' has a control character';
    i += n + 1;
  }
  return null;
}

// ---- one column -------------------------------------------------------------------------------

function runTotal(r: BucketRun, abs: bool): i64 {
  let t: i64 = 0;
  for (let k = 0; k < r.len; k++) {
    const v = unchecked(r.counts![k]);
    t += abs && v < 0 ? -v : v;
  }
  return t;
}

/** The sum of the column's cells (buckets, bins or items), or of their magnitudes. */
function cells(c: Column, abs: bool): i64 {
  let t: i64 = 0;
  if (c.kind == KIND_NUMERIC) {
    const h = c.exp!;
    t = (abs && h.zero < 0 ? -h.zero : h.zero) + runTotal(h.pos, abs) + runTotal(h.neg, abs);
  } else if (c.kind == KIND_GRID) {
    const g = c.grid!.counts;
    for (let i = 0; i < g.length; i++) {
      const v = unchecked(g[i]);
      t += abs && v < 0 ? -v : v;
    }
  } else {
    const items = c.cat!.items.values();
    for (let i = 0; i < items.length; i++) {
      const v = items[i].count;
      t += abs && v < 0 ? -v : v;
    }
  }
  return t;
}

/**
 * A decoded column's invariants. Noisy columns (privacy noise on every cell) may hold negative
 * cells and carry no moments, but their counters still add up: the noise re-derives them from
 * the cells (noise.ts). Exact columns hold finite moments of a non-negative spread.
 */
export function columnProblem(c: Column): string | null {
  const why = nameProblem(c.name, 'column name');
  if (why != null) return why;
  const k = c.counters;
  if (c.noisy) {
    if (c.kind == KIND_NUMERIC) return 'noise on an exponential histogram (private mode records on fixed grids)';
    if (c.kind == KIND_CATEGORICAL && c.cat!.vocabulary == null) return 'noise on a categorical column without a vocabulary';
  }
  if (c.kind == KIND_CATEGORICAL) {
    // The codec checks exact columns' totals; a noisy vocabulary's count is its noisy cells'.
    if (c.noisy && (k.nan != 0 || k.posInf != 0 || k.negInf != 0)) return 'categorical column with numeric counters';
    if (c.noisy && k.count != k.missing + cells(c, false)) return 'counters do not add up';
    const s = c.cat!;
    if (s.mode == MODE_SKETCH && s.errorBound > k.count) return 'error bound above the count';
    return null;
  }
  const m = c.moments;
  if (c.noisy) {
    if (k.count != k.missing + k.nan + k.posInf + k.negInf + m.n) return 'counters do not add up';
    if (cells(c, false) != m.n) return 'bucket counts do not add up to the value count';
    return null;
  }
  if (m.n == 0) {
    if (m.sum != 0 || m.sd != 0) return 'moments without values';
    return null;
  }
  if (!isFinite(m.min) || !isFinite(m.max)) return 'min and max must be finite (infinities are counted apart)';
  if (m.min > m.max) return 'min above max';
  // Mean and spread (a standard deviation, accumulated scaled) are finite for any finite values;
  // only the plain sum can overflow, when n·max|x| is beyond a double.
  if (!isFinite(m.mean) || !isFinite(m.sd)) return 'mean and spread must be finite';
  if (m.sd < 0) return 'negative spread';
  if (m.n == 1 && m.sd != 0) return 'spread of a single value must be 0';
  const amax = max(Math.abs(m.min), Math.abs(m.max));
  const fn = <f64>m.n;
  if (isFinite(fn * amax) && !isFinite(m.sum)) return 'sum must be finite';
  // The mean lies within the extremes, |sum| is at most n·max|x| and the spread at most half the
  // range, each up to rounding: a sum of n doubles may be off by about n·2^-53 of its magnitude.
  const rel = 1e-9 + 4 * fn * 1.2e-16;
  const slack = rel * amax;
  if (m.mean < m.min - slack || m.mean > m.max + slack) return 'mean outside min..max';
  if (Math.abs(m.sum) > fn * amax * (1 + rel)) return 'sum beyond count × largest value';
  // Among subnormals a spread rounds to a multiple of 2^-1074: a few of those are slack too.
  if (m.sd > (m.max - m.min) * 0.5 * (1.01 + rel) + slack + 4 * SUBNORMAL_ULP) return 'spread beyond half the range';
  return null;
}

// ---- one upload -------------------------------------------------------------------------------

function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

/** The value of the string member `"mode"` in a JSON object's text, or "" when there is none. */
function jsonMode(v: StaticArray<u8>): string {
  const key = '"mode"';
  const n = v.length;
  for (let i = 0; i + key.length <= n; i++) {
    let match = true;
    for (let k = 0; k < key.length; k++) {
      if (<i32>unchecked(v[i + k]) != key.charCodeAt(k)) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    let j = i + key.length;
    while (j < n && isSpace(unchecked(v[j]))) j++;
    if (j >= n || unchecked(v[j]) != 0x3a) continue; // ':' — else "mode" was a value, not a key
    j++;
    while (j < n && isSpace(unchecked(v[j]))) j++;
    if (j >= n || unchecked(v[j]) != 0x22) return '';
    const start = j + 1;
    let end = start;
    while (end < n && unchecked(v[end]) != 0x22) end++;
    return String.UTF8.decodeUnsafe(changetype<usize>(v) + start, end - start);
  }
  return '';
}

function privacyMode(p: Profile): string {
  for (let i = 0; i < p.metaKeys.length; i++) {
    const key = p.metaKeys[i];
    if (key.length == 7 && String.UTF8.decodeUnsafe(changetype<usize>(key), 7) == 'privacy') return jsonMode(p.metaValues[i]);
  }
  return '';
}

/**
 * What one device window must also satisfy: no count beyond what a device can record in a
 * window, noise only in the private mode (an upload that says it is exact gets every
 * consistency check), and one row count within each family of columns recorded together
 * (row_families.ts; columns of different families may count differently: health per call,
 * feedback per label, image channels per pixel, next to inputs per row).
 */
export function uploadProblem(p: Profile): string | null {
  for (let i = 0; i < p.metaKeys.length; i++) {
    const why = nameProblem(p.metaKeys[i], 'metadata key');
    if (why != null) return why;
  }
  const mode = privacyMode(p);
  const noisy = mode == 'dp' || mode == 'secure';
  for (let i = 0; i < p.columns.length; i++) {
    const c = p.columns[i];
    const k = c.counters;
    const big = max(max(abs<i64>(k.count), abs<i64>(k.missing)), max(abs<i64>(k.nan), max(abs<i64>(k.posInf), abs<i64>(k.negInf))));
    if (big > MAX_UPLOAD_COUNT || cells(c, true) > MAX_UPLOAD_COUNT) {
      return 'column ' + String.UTF8.decodeUnsafe(changetype<usize>(c.name), c.name.length) + ': counts beyond one window (2^32)';
    }
    if (c.noisy && !noisy) return 'noisy column in an upload whose privacy mode is not "dp" or "secure"';
  }
  return rowCountProblem(p);
}

// ---- merging ----------------------------------------------------------------------------------

function over(a: i64, b: i64): bool {
  const s = a + b;
  return s > MAX_COUNT || s < -MAX_COUNT;
}

/**
 * Why `o` cannot be added into `c` without a count passing 2^53 (the merge refuses rather than
 * wraps or rounds), or null. `c` and `o` are compatible columns. Float moments may overflow in a
 * merge exactly as they do when recording the same values, so they are not a reason.
 */
export function mergeProblem(c: Column, o: Column): string | null {
  const a = c.counters;
  const b = o.counters;
  let big =
    over(a.count, b.count) || over(a.missing, b.missing) || over(a.nan, b.nan) || over(a.posInf, b.posInf) ||
    over(a.negInf, b.negInf) || over(c.moments.n, o.moments.n);
  // Exact cells never exceed the value count; noisy ones may, so their magnitudes bound them.
  if (!big && (c.noisy || o.noisy)) big = cells(c, true) + cells(o, true) > MAX_COUNT;
  if (c.kind == KIND_CATEGORICAL && !big) big = over(c.cat!.errorBound, o.cat!.errorBound);
  if (big) return 'merged counts would pass 2^53';
  return null;
}
