// The engine's answers are read by the names src/core/layouts.ts declares, and a reader refuses
// an answer of another length: comparing every kind of column with every other, and the
// performance and noise exports, must read without one, and named fields must land where the
// exact statistics say.
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { fields, NUMERIC_DRIFT } from '../../src/core/layouts.ts';
import { calibration, classification, noiseErrorBar, rocAuc } from '../../src/core/performance.ts';

describe('result layouts', async () => {
  const core = await loadCore();
  const values = (n: number, shift: number) =>
    Array.from({ length: n }, (_, i) => ({ x: (i % 97) + shift, g: (i % 10) / 10, c: `c${i % 7}` }));
  const schema = {
    columns: [
      { name: 'x', kind: 'numeric' as const },
      { name: 'g', kind: 'grid' as const, edges: [0, 0.25, 0.5, 0.75, 1] },
      { name: 'c', kind: 'categorical' as const },
    ],
  };

  it('reads a comparison of small (exact) and large (sketched) columns of every kind by name', () => {
    for (const [n, m] of [
      [50, 60],
      [5000, 6000],
      [50, 6000],
    ]) {
      const a = core.profile(schema);
      const b = core.profile(schema);
      a.recordRows(values(n, 0));
      b.recordRows(values(m, 3));
      const r = core.compare(a, b);
      expect(r.columns.x.count).toEqual([n, m]);
      expect(r.columns.c.count).toEqual([n, m]);
      expect(r.columns.g.kind).toBe('numeric');
      if (r.columns.x.kind !== 'numeric') throw new Error('x is numeric');
      // Means are exact: the named fields sit where the engine wrote them.
      const mean = (k: number, s: number) => values(k, s).reduce((t, v) => t + v.x, 0) / k;
      expect(r.columns.x.mean[0]).toBeCloseTo(mean(n, 0), 9);
      expect(r.columns.x.mean[1]).toBeCloseTo(mean(m, 3), 9);
      a.dispose();
      b.dispose();
    }
  });

  it('reads the performance and noise answers by name', () => {
    const m = classification(
      core,
      ['a', 'b'],
      [
        [3, 1],
        [2, 4],
      ],
    );
    expect(m.total).toBe(10);
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    expect(m.classes.a.support).toBe(4);
    expect(m.classes.b.predicted).toBe(5);
    const p = core.profile({
      columns: [
        { name: 'pos', kind: 'grid', edges: [0, 0.5, 1] },
        { name: 'neg', kind: 'grid', edges: [0, 0.5, 1] },
      ],
    });
    p.recordRows([
      { pos: 0.9, neg: 0.1 },
      { pos: 0.8, neg: 0.2 },
    ]);
    expect(rocAuc(p, 'pos', ['neg'])).toMatchObject({ auc: 1, positives: 2, negatives: 2 });
    const cal = calibration(p, 'pos', p, 'neg');
    expect(cal.total).toBe(2);
    expect(cal.bins.reduce((t, b) => t + b.count, 0)).toBe(2);
    p.dispose();
    expect(noiseErrorBar(core, { 2: 1 }).halfWidth95).toBeCloseTo(1.96 * noiseErrorBar(core, { 2: 1 }).sd, 12);
  });

  it('refuses an answer of another length than its layout', () => {
    expect(() => fields(NUMERIC_DRIFT, new Float64Array(NUMERIC_DRIFT.length - 1), 'x')).toThrow(
      new RegExp(`answered ${NUMERIC_DRIFT.length - 1} numbers for x, its layout has ${NUMERIC_DRIFT.length}`),
    );
  });
});
