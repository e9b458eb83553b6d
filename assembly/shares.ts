// A private window seen as one vector of count cells: the private mode noises it in place
// (addNoise); the secure mode splits it into two additive shares modulo 2^64, sums shares per
// batch and adds noise to a sum.
// Modulo 2^64 a share that is uniformly random says nothing about the cells, whatever they are;
// wasm's 64-bit integers wrap, so the arithmetic is plain addition and subtraction.
//
// Cell order (the one assembly/noise.ts noises in): per column, a grid's missing, NaN, +Inf and
// −Inf counters then its bins; a vocabulary's missing counter then its words in declared order.
import { Column, KIND_GRID, KIND_NUMERIC } from './column';
import { Profile } from './profile';
import { fail, labelText } from './errors';
import { Rng, draw } from './noise';

/** Why the profile has no cell vector (a column not on a fixed grid or vocabulary), or null. */
function layoutProblem(p: Profile): string | null {
  for (let i = 0; i < p.columns.length; i++) {
    const c = p.columns[i];
    if (c.kind == KIND_NUMERIC) return "column '" + labelText(c.name) + "' is an exponential histogram: private mode records on fixed grids";
    if (c.cat != null && c.cat!.vocabulary == null) return "column '" + labelText(c.name) + "' has no vocabulary: private mode records on fixed vocabularies";
  }
  return null;
}

function columnCells(c: Column): i32 {
  return c.kind == KIND_GRID ? 4 + c.grid!.counts.length : 1 + c.cat!.vocabulary!.length;
}

/** The number of cells of a profile's vector, or −1 (reason in last_error). */
export function cellCount(p: Profile): i32 {
  const why = layoutProblem(p);
  if (why != null) {
    fail(why);
    return -1;
  }
  let n = 0;
  for (let i = 0; i < p.columns.length; i++) n += columnCells(p.columns[i]);
  return n;
}

/** Writes the profile's cells as i64 at `out` (cellCount(p) of them). */
export function readCells(p: Profile, out: usize): void {
  let at = out;
  for (let i = 0; i < p.columns.length; i++) {
    const c = p.columns[i];
    const k = c.counters;
    store<i64>(at, k.missing);
    at += 8;
    if (c.kind == KIND_GRID) {
      store<i64>(at, k.nan);
      store<i64>(at, k.posInf, 8);
      store<i64>(at, k.negInf, 16);
      at += 24;
      const counts = c.grid!.counts;
      for (let j = 0; j < counts.length; j++, at += 8) store<i64>(at, unchecked(counts[j]));
    } else {
      const cat = c.cat!;
      const keys = cat.vocabulary!;
      for (let j = 0; j < keys.length; j++, at += 8) store<i64>(at, cat.items.get(keys[j]).count);
    }
  }
}

/**
 * Replaces the profile's cells with the i64 vector at `src` (cellCount(p) of them): a batch's
 * released sum, or zeros for a layout that carries no data. The column is then what a noisy one
 * is (moments dropped, counts the sum of the cells), since a release always carries noise.
 */
export function writeCells(p: Profile, src: usize): void {
  let at = src;
  for (let i = 0; i < p.columns.length; i++) {
    const c = p.columns[i];
    const k = c.counters;
    k.missing = load<i64>(at);
    at += 8;
    let cells: i64 = 0;
    if (c.kind == KIND_GRID) {
      k.nan = load<i64>(at);
      k.posInf = load<i64>(at, 8);
      k.negInf = load<i64>(at, 16);
      at += 24;
      const counts = c.grid!.counts;
      for (let j = 0; j < counts.length; j++, at += 8) {
        const v = load<i64>(at);
        unchecked((counts[j] = v));
        cells += v;
      }
      c.moments.strip();
      c.moments.n = cells;
    } else {
      const cat = c.cat!;
      const keys = cat.vocabulary!;
      for (let j = 0; j < keys.length; j++, at += 8) {
        const v = load<i64>(at);
        cat.items.get(keys[j]).count = v;
        cells += v;
      }
    }
    k.count = k.missing + k.nan + k.posInf + k.negInf + cells;
    c.noisy = true;
  }
}

/** The leader's share at `out`: cells − mask, modulo 2^64 (the helper's share is the mask). */
export function splitShares(cells: usize, mask: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    store<u64>(out + o, load<u64>(cells + o) - load<u64>(mask + o));
  }
}

/** acc += x, modulo 2^64. */
export function addShares(acc: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    store<u64>(acc + o, load<u64>(acc + o) + load<u64>(x + o));
  }
}

/**
 * Adds two-sided geometric noise of scale b to every cell of an aggregate share, modulo 2^64:
 * each aggregator noises its own sum, so the combined release is private while either is honest.
 */
export function noiseShares(acc: usize, n: i32, scale: f64, seed: usize): bool {
  if (!(scale > 0) || !isFinite(scale)) {
    fail('noise scale must be a positive number');
    return false;
  }
  const rng = new Rng(seed);
  const logQ = -1.0 / scale;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    store<u64>(acc + o, load<u64>(acc + o) + <u64>draw(rng, logQ));
  }
  return true;
}

/**
 * The private mode's noise: two-sided geometric noise of scale b on every cell of the window,
 * zeros included (each row lands in exactly one cell per column: missing, NaN, ±Inf, or one bin
 * or word), moments dropped and counts re-derived from the noisy cells.
 */
export function addNoise(p: Profile, scale: f64, seed: usize): bool {
  const n = cellCount(p);
  if (n < 0) return false;
  const cells = new StaticArray<i64>(max(n, 1));
  const at = changetype<usize>(cells);
  readCells(p, at);
  if (!noiseShares(at, n, scale, seed)) return false;
  writeCells(p, at);
  return true;
}
