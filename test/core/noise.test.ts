// The private mode's noise: two-sided geometric with the stated scale on every cell, and nothing
// exact left behind.
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';

const core = await loadCore();

function seed(i: number): Uint8Array {
  const s = new Uint8Array(32);
  new DataView(s.buffer).setUint32(0, i + 1);
  s[31] = 7;
  return s;
}

describe('private-mode noise', () => {
  test('noise on every cell follows P(k) ∝ exp(−|k|/b) (chi-square goodness of fit)', () => {
    const b = 2;
    const q = Math.exp(-1 / b);
    const draws: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const p = core.profile({ columns: [{ name: 'g', kind: 'grid', edges: Array.from({ length: 20 }, (_, j) => j) }] });
      p.addNoise(b, seed(i));
      const s = p.summary('g');
      if (s.kind === 'categorical') throw new Error('kind');
      draws.push(...s.counts!, s.missing, s.nan, s.posInf, s.negInf);
      p.dispose();
    }
    const pk = (k: number) => ((1 - q) / (1 + q)) * q ** Math.abs(k);
    // Cells k = -8..8, and the two tails beyond.
    const observed = new Map<number, number>();
    for (const d of draws) {
      const k = Math.max(-9, Math.min(9, d));
      observed.set(k, (observed.get(k) ?? 0) + 1);
    }
    let chi2 = 0;
    const tail = q ** 9 / (1 + q); // P(k >= 9) = P(k <= -9)
    for (let k = -9; k <= 9; k++) {
      const expected = draws.length * (Math.abs(k) === 9 ? tail : pk(k));
      chi2 += ((observed.get(k) ?? 0) - expected) ** 2 / expected;
    }
    // 19 cells, 18 dof: the 0.1% critical value is 42.3. Fixed seeds keep the run reproducible.
    expect(chi2).toBeLessThan(42.3);
    const mean = draws.reduce((a, c) => a + c, 0) / draws.length;
    const variance = draws.reduce((a, c) => a + (c - mean) ** 2, 0) / (draws.length - 1);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance / ((2 * q) / (1 - q) ** 2)).toBeGreaterThan(0.95);
    expect(variance / ((2 * q) / (1 - q) ** 2)).toBeLessThan(1.05);
  });

  test('the same seed gives the same noise; count is the sum of the noisy cells', () => {
    const make = () => {
      const p = core.profile({ columns: [{ name: 'v', kind: 'categorical', vocabulary: ['a', 'b'] }] });
      p.recordLabels('v', ['a', 'a', 'b', null]);
      p.addNoise(1, seed(3));
      return p;
    };
    const a = make();
    expect(a.toBytes()).toEqual(make().toBytes());
    const s = a.summary('v');
    if (s.kind !== 'categorical') throw new Error('kind');
    expect(s.noisy).toBe(true);
    expect(s.count).toBe(s.missing + s.items.reduce((x, i) => x + i.count, 0));
  });

  test('no exact value survives: min, max, sum and labels outside the vocabulary are gone', () => {
    const canary = 1234.5678;
    const p = core.profile({
      columns: [
        { name: 'x', kind: 'grid', edges: [0, 10, 100, 1000, 10000] },
        { name: 'who', kind: 'categorical', vocabulary: ['alice', 'bob'] },
      ],
    });
    p.recordRows([
      { x: canary, who: 'canary-user-7' },
      { x: 5, who: 'alice' },
    ]);
    p.addNoise(1, seed(9));
    const bytes = p.toBytes();
    const f64 = new Uint8Array(new Float64Array([canary]).buffer);
    const hasRun = (needle: Uint8Array) => bytes.some((_, i) => needle.every((b, j) => bytes[i + j] === b));
    expect(hasRun(f64)).toBe(false);
    expect(hasRun(new TextEncoder().encode('canary'))).toBe(false);
    const s = p.summary('x');
    if (s.kind === 'categorical') throw new Error('kind');
    expect(Number.isNaN(s.min) && Number.isNaN(s.max) && Number.isNaN(s.sum)).toBe(true);
  });

  test('exponential histograms and open vocabularies refuse noise', () => {
    const p = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
    expect(() => p.addNoise(1)).toThrow(/private mode records on fixed grids/);
    const c = core.profile({ columns: [{ name: 'c', kind: 'categorical' }] });
    expect(() => c.addNoise(1)).toThrow(/fixed vocabularies/);
  });
});
