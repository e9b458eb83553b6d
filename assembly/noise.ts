// Privacy noise for the private upload mode: two-sided geometric (discrete Laplace) noise,
// P(k) ∝ exp(−|k|/b), added to every count cell of fixed-grid and vocabulary columns. Counts stay
// integers, so merges stay exact; the collector clamps negative cells when it reads them.
// Each row lands in exactly one cell per column (missing, NaN, ±Inf, or one bin / one category),
// and `count` is re-derived as the sum of the noisy cells, so a row changes each column's cells
// by 1 in L1: with b = rows·columns/ε the whole window is ε-differentially private.
import { Column, KIND_NUMERIC, KIND_GRID } from './column';
import { Profile } from './profile';
import { fail, labelText } from './errors';

/** xoshiro256** seeded with 256 bits the caller draws from a cryptographic source. */
class Rng {
  s0: u64;
  s1: u64;
  s2: u64;
  s3: u64;

  constructor(seed: usize) {
    this.s0 = load<u64>(seed);
    this.s1 = load<u64>(seed, 8);
    this.s2 = load<u64>(seed, 16);
    this.s3 = load<u64>(seed, 24);
    if ((this.s0 | this.s1 | this.s2 | this.s3) == 0) this.s0 = 1;
  }

  next(): u64 {
    const result = rotl<u64>(this.s1 * 5, 7) * 9;
    const t = this.s1 << 17;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl<u64>(this.s3, 45);
    return result;
  }

  /** Uniform in (0, 1]. */
  uniform(): f64 {
    return (<f64>(this.next() >> 11) + 1.0) * 1.1102230246251565e-16;
  }

  /** Failures before the first success, success probability 1 − q. */
  geometric(logQ: f64): i64 {
    return <i64>Math.floor(Math.log(this.uniform()) / logQ);
  }
}

export function addNoise(p: Profile, scale: f64, seed: usize): bool {
  if (!(scale > 0) || !isFinite(scale)) {
    fail('noise scale must be a positive number');
    return false;
  }
  for (let i = 0; i < p.columns.length; i++) {
    const c = p.columns[i];
    if (c.kind == KIND_NUMERIC) {
      fail("column '" + labelText(c.name) + "' is an exponential histogram: private mode records on fixed grids");
      return false;
    }
    if (c.cat != null && c.cat!.vocabulary == null) {
      fail("column '" + labelText(c.name) + "' has no vocabulary: private mode records on fixed vocabularies");
      return false;
    }
  }
  const rng = new Rng(seed);
  const logQ = -1.0 / scale;
  for (let i = 0; i < p.columns.length; i++) noiseColumn(p.columns[i], rng, logQ);
  return true;
}

// @ts-ignore: decorator
@inline
function draw(rng: Rng, logQ: f64): i64 {
  return rng.geometric(logQ) - rng.geometric(logQ);
}

function noiseColumn(c: Column, rng: Rng, logQ: f64): void {
  const k = c.counters;
  k.missing += draw(rng, logQ);
  let cells: i64 = 0;
  if (c.kind == KIND_GRID) {
    k.nan += draw(rng, logQ);
    k.posInf += draw(rng, logQ);
    k.negInf += draw(rng, logQ);
    const counts = c.grid!.counts;
    for (let j = 0; j < counts.length; j++) {
      const v = counts[j] + draw(rng, logQ);
      counts[j] = v;
      cells += v;
    }
    c.moments.strip();
    c.moments.n = cells;
  } else {
    const cat = c.cat!;
    const keys = cat.vocabulary!;
    for (let j = 0; j < keys.length; j++) {
      const it = cat.items.get(keys[j]);
      it.count += draw(rng, logQ);
      cells += it.count;
    }
  }
  k.count = k.missing + k.nan + k.posInf + k.negInf + cells;
  c.noisy = true;
}
