// The histogram as the dashboard draws it, from the core's summary of raw values: the zero
// bucket becomes a bin of its own centred on 0 holding exactly the raw zeros, no bins overlap,
// the bins hold every value, and their shares add up to one.
import { expect, it } from 'vitest';
import { loadCore, type NumericSummary } from '../../src/core/index.ts';
import { binnedTotal, binsOf, shares, withZeroBin } from '../../src/dashboard/charts/histogram-data.ts';
import { rng } from '../helpers/random.ts';

const core = await loadCore();

it('draws a spike of zeros at 0 and shares that add up to one', () => {
  const r = rng(5);
  // Wind readings where a broken sensor sends 0: 5,920 zeros among 20,000 values.
  const xs = Array.from({ length: 20_000 }, (_, i) => (i % 27 < 8 ? 0 : 1 + 10 * r()));
  const zeros = xs.filter((x) => x === 0).length;
  const p = core.profile({ columns: [{ name: 'wind', kind: 'numeric' }] });
  try {
    p.recordNumbers('wind', xs);
    const b = binsOf(p.summary('wind') as NumericSummary);
    const bins = withZeroBin(b);
    const zero = bins.find((x) => x.lo < 0 && x.hi > 0)!;
    expect(zero.count).toBe(zeros);
    for (let i = 1; i < bins.length; i++) expect(bins[i].lo).toBeGreaterThanOrEqual(bins[i - 1].hi);
    expect(bins.reduce((n, x) => n + x.count, 0)).toBe(xs.length);
    expect(binnedTotal(b)).toBe(xs.length);
    const s = shares(
      bins.map((x) => x.count),
      binnedTotal(b),
    );
    expect(s.reduce((n, x) => n! + x!, 0)).toBeCloseTo(1, 12);
    // On a log axis an empty bin is a gap, not minus infinity.
    expect(shares([0, 5], 10, true)).toEqual([null, 0.5]);
  } finally {
    p.dispose();
  }
});
