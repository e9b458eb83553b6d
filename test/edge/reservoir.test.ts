// Algorithm L's decisions in Node: every position of the stream is kept with probability k/N,
// whether items come one by one or in batches, and the sample never exceeds k.
import { describe, expect, test } from 'vitest';
import { CryptoUniform, Reservoir } from '../../src/edge/reservoir.ts';
import { rng } from './helpers.ts';

describe('reservoir', () => {
  test('each position is kept with probability k/N, in any batching', () => {
    const n = 60;
    const k = 6;
    const trials = 20_000;
    const random = rng(2024);
    const kept = new Array(n).fill(0);
    for (let t = 0; t < trials; t++) {
      const r = new Reservoir(k, random);
      const slots = new Array<number>(k).fill(-1);
      let at = 0;
      while (at < n) {
        const size = Math.min(n - at, 1 + ((t + at) % 7)); // batches of 1..7 items
        const base = at;
        r.offer(size, (offset, slot) => (slots[slot] = base + offset));
        at += size;
      }
      expect(r.size).toBe(k);
      expect(new Set(slots).size).toBe(k);
      for (const i of slots) kept[i]++;
    }
    // Binomial(trials, k/n) per position; 5.3σ (deterministic here: the generator is seeded).
    const p = k / n;
    const sd = Math.sqrt(trials * p * (1 - p));
    for (const c of kept) expect(Math.abs(c - trials * p)).toBeLessThan(5.3 * sd);
  });

  test('fewer items than the capacity are all kept, in order', () => {
    const r = new Reservoir(10);
    const taken: [number, number][] = [];
    r.offer(4, (o, s) => taken.push([o, s]));
    expect(taken).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(r.size).toBe(4);
  });

  test('crypto uniforms stay strictly inside (0, 1)', () => {
    const u = new CryptoUniform();
    for (let i = 0; i < 10_000; i++) {
      const x = u.next();
      expect(x > 0 && x < 1).toBe(true);
    }
  });
});
