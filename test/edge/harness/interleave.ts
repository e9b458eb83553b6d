// Times several ways of making the same call against each other: blocks of calls, the variants
// taking turns block by block in a fresh random order each round, so that all of them see the
// same machine state and none always follows the same other one (what a variant leaves in the
// caches is paid by whichever runs next). Used in the benchmark's worker and on its page.
import { rng } from '../../helpers/random.ts';

export interface VariantTiming {
  /** Median over blocks of the mean per call, ms. */
  median: number;
  /** Mean per call over every timed call, ms: includes the rare costs (a full batch handed to the core, collection). */
  mean: number;
  /**
   * The fastest group of 256 consecutive calls (16 blocks), mean per call, ms. At batch 1 each
   * group holds exactly one full batch handed to the core, so that cost is in, amortized, while
   * the load from elsewhere on the machine (which swamps the mean) is least.
   */
  best256: number;
  p90: number;
  /** The fastest block's mean per call, ms: the least disturbed by other work on the machine. */
  best: number;
  /**
   * Every block's mean per call, ms, in round order: block i of two variants ran back to back, so
   * their difference is paired (the machine's drift between rounds cancels).
   */
  blocks: number[];
}

/** Calls per timed block: the clock is coarse (5 µs when cross-origin isolated, 100 µs otherwise). */
export const BLOCK = 16;
/** Blocks per group of 256 calls (the recorder's batch). */
const GROUP = 256 / BLOCK;

export async function interleave(
  runs: Record<string, () => Promise<unknown>>,
  calls: number,
  warmup: number,
): Promise<Record<string, VariantTiming>> {
  const variants = Object.keys(runs);
  for (let i = 0; i < warmup; i++) for (const v of variants) await runs[v]();
  const times: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
  const random = rng(calls);
  const order = variants.slice();
  for (let b = 0; b < Math.ceil(calls / BLOCK); b++) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [order[k], order[j]] = [order[j], order[k]];
    }
    for (const v of order) {
      const run = runs[v];
      const t0 = performance.now();
      for (let i = 0; i < BLOCK; i++) await run();
      times[v].push((performance.now() - t0) / BLOCK);
    }
  }
  const out: Record<string, VariantTiming> = {};
  for (const v of variants) {
    const s = times[v].slice().sort((a, b) => a - b);
    const groups: number[] = [];
    for (let g = 0; g + GROUP <= times[v].length; g += GROUP) groups.push(times[v].slice(g, g + GROUP).reduce((a, b) => a + b, 0) / GROUP);
    groups.sort((a, b) => a - b);
    out[v] = {
      median: s[Math.floor((s.length - 1) / 2)],
      best256: groups[0],
      mean: s.reduce((a, b) => a + b, 0) / s.length,
      p90: s[Math.floor(s.length * 0.9)],
      best: s[0],
      blocks: times[v],
    };
  }
  return out;
}
