// Privacy noise for the private upload mode: two-sided geometric (discrete Laplace) noise,
// P(k) ∝ exp(−|k|/b), added to every count cell of fixed-grid and vocabulary columns. Counts stay
// integers, so merges stay exact; the collector clamps negative cells when it reads them.
// Each row lands in exactly one cell per column (missing, NaN, ±Inf, or one bin / one category),
// and `count` is re-derived as the sum of the noisy cells. The caller chooses b for its guarantee
// (the edge runtime's accounting is in src/edge/privacy.ts).
import { Column, KIND_NUMERIC, KIND_GRID } from './column';
import { Profile } from './profile';
import { fail, labelText } from './errors';

// SplitMix64's output step: a bijection on 64 bits that spreads every input bit over the word.
function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** xoshiro256** seeded with 256 bits the caller draws from a cryptographic source. */
export class Rng {
  s0: u64;
  s1: u64;
  s2: u64;
  s3: u64;

  // xoshiro's first outputs from a sparse or barely different state are far from uniform (the
  // first one reads s1 alone), so the seed goes through two rounds of a ring of mix64 steps first:
  // each step is invertible given its neighbour, so all 256 bits stay, and every state word ends
  // up depending on every seed word.
  constructor(seed: usize) {
    const g: u64 = 0x9e3779b97f4a7c15;
    let a = load<u64>(seed);
    let b = load<u64>(seed, 8);
    let c = load<u64>(seed, 16);
    let d = load<u64>(seed, 24);
    for (let round = 0; round < 2; round++) {
      a = mix64((a ^ d) + g);
      b = mix64((b ^ a) + g);
      c = mix64((c ^ b) + g);
      d = mix64((d ^ c) + g);
    }
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
    if ((a | b | c | d) == 0) this.s0 = 1;
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
export function draw(rng: Rng, logQ: f64): i64 {
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
