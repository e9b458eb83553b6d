// The benchmark's paired overhead estimate: the median of per-round differences and its 95%
// interval, checked against the differences' own sorted order and, by simulation, against the
// coverage it claims.
import { expect, test } from 'vitest';
import { pairedDifference } from '../../bench/lib/paired.ts';
import { normals, rng } from '../helpers/random.ts';

test('the median of per-round differences, not the difference of medians', () => {
  // Round-to-round drift far larger than the overhead: each round both variants slow down alike.
  const drift = normals(201, 1, 0, 50);
  const a = Array.from(drift, (x) => 100 + x);
  const b = Array.from(drift, (x, i) => 100 + x + 2 + (i % 3) - 1); // overhead 1, 2 or 3 per round
  const p = pairedDifference(a, b);
  const sorted = a.map((x, i) => b[i] - x).sort((x, y) => x - y);
  expect(p.median).toBeCloseTo(sorted[100], 12);
  expect(p.median).toBeCloseTo(2, 9);
  expect(p.low).toBeLessThanOrEqual(p.median);
  expect(p.high).toBeGreaterThanOrEqual(p.median);
  expect(p.rounds).toBe(201);
});

test('the 95% interval covers the true median overhead in about 95% of runs', () => {
  const r = rng(7);
  const trials = 2000;
  let covered = 0;
  for (let t = 0; t < trials; t++) {
    // Skewed noise (exponential) around a true median overhead of 5.
    const a = Array.from({ length: 128 }, () => 100 - 10 * Math.log(1 - r()));
    const b = Array.from({ length: 128 }, (_, i) => a[i] + 5 + (-Math.log(1 - r()) - Math.LN2) * 3);
    const p = pairedDifference(a, b);
    if (p.low <= 5 && 5 <= p.high) covered++;
  }
  // Binomial(2000, 0.95) has a standard deviation of ~10: 93–97.5% leaves room for the rank
  // bound's conservatism and nothing for a broken interval.
  expect(covered / trials).toBeGreaterThan(0.93);
  expect(covered / trials).toBeLessThan(0.975);
});

test('no rounds is an error, not a number', () => {
  expect(() => pairedDifference([], [])).toThrow(/no rounds/);
});
