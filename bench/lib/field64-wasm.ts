// A Field64 (p = 2^64 − 2^32 + 1) on machine words in wasm, compiled from the AssemblyScript
// below when a benchmark starts: it measures what leaving JavaScript BigInt would gain for the
// same algorithm, the prover's schoolbook gadget polynomial Σ_i wires[2i]·wires[2i+1]. A peer for
// bench/prio3.ts, not part of the core: no statistic is computed with it.
import asc from 'assemblyscript/asc';

const SOURCE = `
const P: u64 = 0xffffffff00000001;
const EPSILON: u64 = 0xffffffff; // 2^64 mod p

// x = lo + hi·2^64 with hi = hh·2^32 + hl: 2^64 ≡ 2^32 − 1 and 2^96 ≡ −1 (mod p).
@inline function reduce(lo: u64, hi: u64): u64 {
  const hh = hi >> 32;
  const hl = hi & EPSILON;
  let t0 = lo - hh;
  if (lo < hh) t0 -= EPSILON;
  const t1 = hl * EPSILON;
  let r = t0 + t1;
  if (r < t1) r += EPSILON;
  return r >= P ? r - P : r;
}

@inline function mul(a: u64, b: u64): u64 {
  const a0 = a & EPSILON, a1 = a >> 32, b0 = b & EPSILON, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & EPSILON) + (p10 & EPSILON);
  return reduce((p00 & EPSILON) | (mid << 32), p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32));
}

@inline function add(a: u64, b: u64): u64 {
  const s = a + b;
  return s < a || s >= P ? s - P : s;
}

export function base(): usize {
  return (__heap_base + 7) & ~7;
}

// wires: count polynomials of n coefficients each; out: 2n − 1 coefficients, zeroed here.
export function gadgetPoly(wires: usize, count: i32, n: i32, out: usize): void {
  memory.fill(out, 0, <usize>(2 * n - 1) << 3);
  for (let w = 0; w < count; w += 2) {
    const a = wires + (<usize>(w * n) << 3);
    const b = a + (<usize>n << 3);
    for (let i = 0; i < n; i++) {
      const ai = load<u64>(a + (<usize>i << 3));
      for (let j = 0; j < n; j++) {
        const at = out + (<usize>(i + j) << 3);
        store<u64>(at, add(load<u64>(at), mul(ai, load<u64>(b + (<usize>j << 3)))));
      }
    }
  }
}
`;

export interface Field64Wasm {
  /** Σ_i wires[2i]·wires[2i+1] mod p, the wires' coefficients copied in and the sum's out. */
  gadgetPoly(wires: readonly bigint[][]): bigint[];
}

export async function loadField64Wasm(): Promise<Field64Wasm> {
  const { binary, stderr } = await asc.compileString(SOURCE, { optimizeLevel: 3, runtime: 'stub', noAssert: true });
  if (!binary) throw new Error(`the Field64 peer did not compile: ${stderr.toString()}`);
  const { exports } = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(binary)));
  const memory = exports.memory as WebAssembly.Memory;
  const base = (exports.base as () => number)();
  const gadgetPoly = exports.gadgetPoly as (wires: number, count: number, n: number, out: number) => void;
  return {
    gadgetPoly(wires) {
      const n = wires[0].length;
      const out = base + wires.length * n * 8;
      const end = out + (2 * n - 1) * 8;
      if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      const words = new BigUint64Array(memory.buffer);
      wires.forEach((wire, w) => words.set(wire, base / 8 + w * n));
      gadgetPoly(base, wires.length, n, out);
      return Array.from(new BigUint64Array(memory.buffer, out, 2 * n - 1));
    },
  };
}
