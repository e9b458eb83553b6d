// HyperLogLog with 2^12 registers (relative standard error ~1.6%), fed with the 64-bit label hash.
export const HLL_LG_K: i32 = 12;
export const HLL_M: i32 = 1 << HLL_LG_K;

export function hllAdd(regs: StaticArray<u8>, hash: u64): void {
  const idx = <i32>(hash >> (64 - HLL_LG_K));
  // Rank of the first set bit among the remaining 52 bits; the sentinel bit caps it at 53.
  const w = (hash << HLL_LG_K) | (<u64>1 << (HLL_LG_K - 1));
  const rank = <u8>(clz<u64>(w) + 1);
  if (rank > unchecked(regs[idx])) unchecked((regs[idx] = rank));
}

export function hllMerge(into: StaticArray<u8>, from: StaticArray<u8>): void {
  for (let i = 0; i < HLL_M; i++) {
    const v = unchecked(from[i]);
    if (v > unchecked(into[i])) unchecked((into[i] = v));
  }
}

export function hllEstimate(regs: StaticArray<u8>): f64 {
  const m = <f64>HLL_M;
  let sum: f64 = 0;
  let zeros = 0;
  for (let i = 0; i < HLL_M; i++) {
    const r = unchecked(regs[i]);
    sum += Math.pow(2.0, -<f64>r);
    if (r == 0) zeros++;
  }
  const alpha = 0.7213 / (1.0 + 1.079 / m);
  const e = (alpha * m * m) / sum;
  // Small-range correction: linear counting while many registers are still empty.
  if (e <= 2.5 * m && zeros > 0) return m * Math.log(m / <f64>zeros);
  return e;
}
