// Privacy noise: two-sided geometric (discrete Laplace) draws, P(k) ∝ exp(−|k|/b), from a
// generator seeded by the caller's cryptographic bytes. Counts stay integers, so merges stay
// exact. shares.ts adds them to a window's cells (the private mode) or to a batch's sum (the
// secure mode); the caller chooses b for its guarantee (src/edge/privacy.ts).

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

// @ts-ignore: decorator
@inline
export function draw(rng: Rng, logQ: f64): i64 {
  return rng.geometric(logQ) - rng.geometric(logQ);
}
