// Laying out per-step class counts for the stacked shares chart: each share is the step's count
// over the step's total, bands stack bottom up, suppressed steps are gaps, noisy negative counts
// count as 0, and classes beyond eight share one band.
import { describe, expect, it } from 'vitest';
import type { CategoricalSummary } from 'edgewatch';
import type { SummaryPoint } from 'edgewatch/read-api';
import { classShares, MAX_CLASSES, OTHER_CLASSES } from '../../src/dashboard/charts/class-shares.ts';

function step(from: number, items: Record<string, number> | null, noisy = false): SummaryPoint {
  if (!items) return { from, to: from + 60_000, suppressed: true, devices: 2, uploads: 2, rows: 10 };
  const summary: CategoricalSummary = {
    name: 'out.predicted',
    kind: 'categorical',
    mode: 'vocabulary',
    errorBound: 0,
    distinct: Object.keys(items).length,
    count: 0,
    missing: 0,
    nan: 0,
    posInf: 0,
    negInf: 0,
    ...(noisy ? { noisy: true } : {}),
    items: Object.entries(items).map(([value, count]) => ({ value, count })),
  };
  return { from, to: from + 60_000, suppressed: false, devices: 5, uploads: 5, rows: 10, columns: { 'out.predicted': summary } };
}

describe('class shares', () => {
  it('divides each class count by its step total and stacks the bands, most predicted at the bottom', () => {
    const s = classShares(
      [step(0, { a: 1, b: 3, __other__: 0 }), step(60_000, null), step(120_000, { a: 2, b: 2, __other__: 0 })],
      'out.predicted',
    );
    expect(s.classes).toEqual(['b', 'a']);
    expect(s.x).toEqual([0, 60_000, 120_000]);
    expect(s.counts).toEqual([
      [3, null, 2],
      [1, null, 2],
    ]);
    expect(s.totals).toEqual([4, null, 4]);
    expect(s.shares).toEqual([
      [0.75, null, 0.5],
      [0.25, null, 0.5],
    ]);
    expect(s.stacked).toEqual([
      [0.75, null, 0.5],
      [1, null, 1],
    ]);
    expect(s.folded).toEqual([]);
  });

  it('counts noisy negative counts as 0, and a step without predictions has no shares', () => {
    const s = classShares([step(0, { a: -2, b: 4 }, true), step(60_000, { a: 0, b: -1 }, true)], 'out.predicted');
    expect(s.classes).toEqual(['b']);
    expect(s.counts).toEqual([[4, 0]]);
    expect(s.shares).toEqual([[1, null]]);
  });

  it(`folds the least predicted classes into "${OTHER_CLASSES}" beyond ${MAX_CLASSES}`, () => {
    const items = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, 10 - i]));
    const s = classShares([step(0, items)], 'out.predicted');
    expect(s.classes).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', OTHER_CLASSES]);
    expect(s.folded).toEqual(['c7', 'c8', 'c9']);
    expect(s.counts.at(-1)).toEqual([3 + 2 + 1]);
    expect(s.totals).toEqual([55]);
    expect(s.stacked.at(-1)![0]).toBeCloseTo(1, 12);
  });

  it('is empty when no step carries the column', () => {
    expect(classShares([step(0, null)], 'out.predicted').classes).toEqual([]);
  });
});
