// The secure mode's cell vectors and additive shares (the arithmetic is assembly/shares.ts): a
// private-mode window as one vector of counts, split into two shares modulo 2^64 that each look
// uniformly random, summed per batch by each aggregator, noised there, and combined.
import type { Core } from './core.ts';
import { CoreError } from './errors.ts';
import type { Profile } from './profile.ts';

/** A window's cells (clipped counts on its fixed grids and vocabularies), in the core's order. */
export function cellVector(p: Profile): BigInt64Array {
  const e = p.engine;
  const n = e.index(e.x.profile_cells(p.handle), 'cell vector');
  return new BigInt64Array(e.result(n * 8).buffer);
}

/** Replaces a profile's cells (a layout's zeros, or a batch's released sum); it becomes noisy. */
export function setCells(p: Profile, cells: BigInt64Array): void {
  const e = p.engine;
  const ptr = e.putBytes(new Uint8Array(cells.buffer, cells.byteOffset, cells.byteLength));
  e.ok(e.x.profile_set_cells(p.handle, ptr, cells.length), 'cannot set cells');
}

/** The leader's share, cells − mask modulo 2^64: the helper's share is the mask itself. */
export function splitShares(core: Core, cells: BigInt64Array, mask: BigUint64Array): BigUint64Array {
  if (mask.length !== cells.length) throw new CoreError(`a mask of ${mask.length} cells for ${cells.length}`);
  return run(core, [cells, mask], 3, (x, [c, m, out]) => x.shares_split(c, m, out, cells.length))[2];
}

/** Sums shares modulo 2^64 (every share of one batch has the same length). */
export function sumShares(core: Core, shares: readonly BigUint64Array[], n: number): BigUint64Array {
  let acc: BigUint64Array = new BigUint64Array(n);
  for (const s of shares) {
    if (s.length !== n) throw new CoreError(`a share of ${s.length} cells in a batch of ${n}`);
    acc = run(core, [acc, s], 2, (x, [a, b]) => x.shares_add(a, b, n))[0];
  }
  return acc;
}

/**
 * Adds two-sided geometric noise of scale b to every cell of an aggregate share, from 32 bytes
 * of a cryptographic source by default.
 */
export function noiseShare(
  core: Core,
  share: BigUint64Array,
  scale: number,
  seed = crypto.getRandomValues(new Uint8Array(32)),
): BigUint64Array {
  if (seed.byteLength !== 32) throw new CoreError('noise seed must be 32 bytes');
  return run(core, [share, new BigUint64Array(new Uint8Array(seed).buffer)], 2, (x, [a, s]) => {
    if (!x.shares_noise(a, share.length, scale, s)) throw new CoreError(`cannot add noise: ${core.engine.lastError()}`);
  })[0];
}

/** The released cells: the two aggregate shares added, read as signed counts. */
export function combineShares(core: Core, leader: BigUint64Array, helper: BigUint64Array): BigInt64Array {
  const sum = sumShares(core, [leader, helper], leader.length);
  return new BigInt64Array(sum.buffer);
}

type Words = BigInt64Array | BigUint64Array;

/**
 * Lays `inputs` one after the other in the engine's scratch (plus `slots − inputs` outputs of
 * the first input's length), calls `fn` with their addresses, and copies every slot back out.
 */
function run(core: Core, inputs: Words[], slots: number, fn: (x: Core['engine']['x'], at: number[]) => void): BigUint64Array[] {
  const e = core.engine;
  const sizes = Array.from({ length: slots }, (_, i) => (inputs[i] ?? inputs[0]).length * 8);
  const base = e.x.scratch(
    Math.max(
      8,
      sizes.reduce((a, b) => a + b, 0),
    ),
  );
  const at: number[] = [];
  let pos = base;
  for (let i = 0; i < slots; i++) {
    at.push(pos);
    const input = inputs[i];
    if (input) e.bytes.set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength), pos);
    pos += sizes[i];
  }
  fn(e.x, at);
  return at.map((p, i) => new BigUint64Array(e.x.memory.buffer.slice(p, p + sizes[i])));
}
