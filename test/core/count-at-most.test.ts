// countAtMost (an SLO's good events under a latency threshold) against exact counts on the raw
// values: off by no more than the values sharing the threshold's bucket, exact past the extremes,
// on exponential histograms (long-tailed latencies, values around zero) and on fixed grids.
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { normals, rng } from '../helpers/random.ts';

const core = await loadCore();
/** Scale 5: a bucket spans a factor 2^(1/32). */
const WIDTH = 2 ** (1 / 32);

const exactAtMost = (xs: Float64Array, x: number) => xs.reduce((n, v) => n + (v <= x ? 1 : 0), 0);
const within = (xs: Float64Array, lo: number, hi: number) => xs.reduce((n, v) => n + (v > lo && v <= hi ? 1 : 0), 0);

describe('countAtMost', () => {
  test('on a long-tailed latency column, to within the threshold bucket', () => {
    const z = normals(20_000, 7);
    const xs = Float64Array.from(z, (v) => Math.exp(3 + 0.8 * v)); // log-normal, median ~20 ms
    const p = core.profile({ columns: [{ name: 'latency', kind: 'numeric' }] });
    try {
      expect(xs.length).toBe(20_000);
      p.recordNumbers('latency', xs);
      for (const t of [1, 5, 10, 20, 37.5, 100, 250, 1000]) {
        const got = p.countAtMost('latency', t);
        const slack = within(xs, t / WIDTH, t * WIDTH);
        expect(Math.abs(got - exactAtMost(xs, t)), `threshold ${t}`).toBeLessThanOrEqual(slack + 1e-9);
      }
      expect(p.countAtMost('latency', Math.max(...xs))).toBe(xs.length);
      expect(p.countAtMost('latency', Math.min(...xs) / 2)).toBe(0);
    } finally {
      p.dispose();
    }
  });

  test('with negative values, a zero spike and missing values', () => {
    const r = rng(3);
    const xs = Float64Array.from({ length: 5000 }, (_, i) => (i % 4 === 0 ? 0 : (r() - 0.5) * 200));
    const p = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
    try {
      p.recordNumbers('x', [...xs, null, null]);
      // The zero bucket is a point mass: exact at 0 and just below it.
      expect(p.countAtMost('x', 0)).toBe(exactAtMost(xs, 0));
      for (const t of [-50, -1, 1, 30]) {
        const slack = within(xs, t > 0 ? t / WIDTH : t * WIDTH, t > 0 ? t * WIDTH : t / WIDTH);
        expect(Math.abs(p.countAtMost('x', t) - exactAtMost(xs, t)), `threshold ${t}`).toBeLessThanOrEqual(slack + 1e-9);
      }
    } finally {
      p.dispose();
    }
  });

  test('on a fixed grid, to within the threshold cell, and NaN on a categorical column', () => {
    const r = rng(11);
    const xs = Float64Array.from({ length: 8000 }, () => r() ** 2);
    const p = core.profile({
      columns: [
        { name: 's', kind: 'grid' },
        { name: 'c', kind: 'categorical' },
      ],
    });
    try {
      p.recordNumbers('s', xs);
      for (const t of [0.1, 0.25, 0.5, 0.905]) {
        const cell = Math.floor(t * 100) / 100;
        const slack = within(xs, cell, cell + 0.01);
        expect(Math.abs(p.countAtMost('s', t) - exactAtMost(xs, t)), `threshold ${t}`).toBeLessThanOrEqual(slack + 1e-9);
      }
      expect(p.countAtMost('c', 1)).toBeNaN();
    } finally {
      p.dispose();
    }
  });
});
