// Data-quality checks beside drift: each check's value against the raw data, the classes the
// drift verdict cannot see (missing values, NaN, infinities, values outside the baseline's range,
// zeros, new categories, schema changes), and random splits of real data that flag nothing.
import { describe, expect, test } from 'vitest';
import { loadCore, type CellValue, type ColumnDrift, type QualityCheck, type Schema } from '../../src/core/index.ts';
import { normals, rng } from '../helpers/random.ts';
import { vegaCsv } from '../helpers/vega.ts';

const core = await loadCore();

function compare(schema: Schema, baseline: Record<string, CellValue[]>, current: Record<string, CellValue[]>, currentSchema = schema) {
  const pb = core.profile(schema);
  const pc = core.profile(currentSchema);
  pb.recordColumns(baseline as never);
  pc.recordColumns(current as never);
  const r = core.compare(pb, pc);
  pb.dispose();
  pc.dispose();
  return r;
}

const numeric: Schema = { columns: [{ name: 'x', kind: 'numeric' }] };
const checkOf = (c: ColumnDrift, name: string): QualityCheck => c.quality.checks.find((q) => q.name === name)!;
const base = Array.from(normals(5000, 1));

describe('numeric quality checks', () => {
  test('90% missing: flagged, value the exact change', () => {
    const cur: CellValue[] = Array.from(normals(5000, 2), (v, i) => (i % 10 === 0 ? v : null));
    const c = compare(numeric, { x: base }, { x: cur }).columns.x;
    expect(checkOf(c, 'missing_rate_change').value).toBeCloseTo(0.9, 12);
    expect(checkOf(c, 'missing_rate_change').flagged).toBe(true);
    expect(c.quality.flagged).toBe(true);
  });

  test('50% NaN and 50% +Inf: flagged with their exact shares', () => {
    const half = (v: number) => Array.from(normals(4000, 3), (x, i) => (i % 2 ? v : x));
    const nan = compare(numeric, { x: base }, { x: half(NaN) }).columns.x;
    expect(checkOf(nan, 'nan_share_rise')).toMatchObject({ value: 0.5, flagged: true });
    const inf = compare(numeric, { x: base }, { x: half(Infinity) }).columns.x;
    expect(checkOf(inf, 'pos_inf_share_rise')).toMatchObject({ value: 0.5, flagged: true });
    expect(checkOf(inf, 'neg_inf_share_rise')).toMatchObject({ value: 0, flagged: false });
  });

  test('an all-missing current side: flagged, never NaN in the flag', () => {
    const c = compare(numeric, { x: base }, { x: new Array(100).fill(null) }).columns.x;
    expect(checkOf(c, 'missing_rate_change')).toMatchObject({ value: 1, flagged: true });
    expect(c.drifted.drifted).toBe(false);
  });

  test('share outside the baseline range: exact on exact values, close on a sketch', () => {
    const b = Array.from({ length: 1000 }, (_, i) => i % 50); // 0..49, exact values
    const cur = Array.from({ length: 1000 }, (_, i) => (i % 50) + 10); // 10..59: 20% above 49
    expect(checkOf(compare(numeric, { x: b }, { x: cur }).columns.x, 'outside_baseline_range')).toMatchObject({
      value: 0.2,
      flagged: true,
    });
    const shifted = Array.from(normals(5000, 4, 1.5));
    const want = shifted.filter((v) => v > Math.max(...base) || v < Math.min(...base)).length / shifted.length;
    const got = checkOf(compare(numeric, { x: base }, { x: shifted }).columns.x, 'outside_baseline_range').value;
    expect(Math.abs(got - want)).toBeLessThan(0.005);
  });

  test('zero share: the exact change', () => {
    const cur = Array.from(normals(5000, 5), (v, i) => (i % 4 === 0 ? 0 : v));
    const c = compare(numeric, { x: base }, { x: cur }).columns.x;
    expect(checkOf(c, 'zero_share_change')).toMatchObject({ value: 0.25, flagged: true });
  });

  test('zero share on grids and centred histograms: finite, the smallest change the cells prove', () => {
    // Zeros are not counted apart there: each side's zero count lies between 0 and the mass of
    // the cells that may hold 0 (exactly that mass when the cell is the point 0), and the check
    // reports the smallest change those ranges allow.
    const nonNegative = (n: number, seed: number, zeroShare: number) =>
      Array.from(normals(n, seed, 5), (v, i) => (i < n * zeroShare ? 0 : Math.max(v, 3.5)));
    const b = nonNegative(4000, 6, 0);
    const cur = nonNegative(4000, 7, 0.4);
    // A grid from 0 on non-negative data: its bin (−∞, 0] reaches only the minimum, 0, so it
    // holds zeros only and the change is exact.
    const grid: Schema = { columns: [{ name: 'x', kind: 'grid', edges: [0, 2, 4, 8] }] };
    expect(checkOf(compare(grid, { x: b }, { x: cur }).columns.x, 'zero_share_change')).toMatchObject({ value: 0.4, flagged: true });
    // A grid bin or a centred bucket that holds 0 among other values proves nothing: 0, not NaN.
    const wide: Schema = { columns: [{ name: 'x', kind: 'grid', edges: [-1, 1, 3, 7] }] };
    const centred: Schema = { columns: [{ name: 'x', kind: 'numeric', center: 5 }] };
    for (const schema of [wide, centred]) {
      const proven = checkOf(compare(schema, { x: b }, { x: cur }).columns.x, 'zero_share_change');
      expect(proven.value).toBeGreaterThanOrEqual(0);
      expect(proven.value).toBeLessThanOrEqual(0.4);
      const same = checkOf(
        compare(schema, { x: nonNegative(4000, 8, 0.2) }, { x: nonNegative(4000, 9, 0.2) }).columns.x,
        'zero_share_change',
      );
      expect(same).toMatchObject({ value: 0, flagged: false });
      // A side with no rows stays NaN: there is no share to speak of.
      expect(checkOf(compare(schema, { x: b }, { x: [] }).columns.x, 'zero_share_change').value).toBeNaN();
    }
  });
});

describe('categorical quality and schema changes', () => {
  const cat: Schema = { columns: [{ name: 'c', kind: 'categorical' }] };
  test('share of new categories, exact', () => {
    const b = Array.from({ length: 1000 }, (_, i) => ['a', 'b', 'c'][i % 3]);
    const c = Array.from({ length: 1000 }, (_, i) => ['a', 'b', 'c', 'new1', 'new2'][i % 5]);
    expect(checkOf(compare(cat, { c: b }, { c }).columns.c, 'new_category_share')).toMatchObject({ value: 0.4, flagged: true });
  });

  test('a column missing, new, or of another kind is a schema change; the others still compare', () => {
    const schemaB: Schema = {
      columns: [
        { name: 'a', kind: 'numeric' },
        { name: 'gone', kind: 'numeric' },
        { name: 'k', kind: 'numeric' },
      ],
    };
    const schemaC: Schema = {
      columns: [
        { name: 'a', kind: 'numeric' },
        { name: 'fresh', kind: 'numeric' },
        { name: 'k', kind: 'categorical' },
      ],
    };
    const r = compare(schemaB, { a: [1, 2], gone: [1], k: [1] }, { a: [1, 3], fresh: [2], k: ['x'] }, schemaC);
    expect(r.schema).toEqual({
      flagged: true,
      missing: ['gone'],
      added: ['fresh'],
      changed: [{ name: 'k', baseline: 'numeric', current: 'categorical' }],
    });
    expect(Object.keys(r.columns)).toEqual(['a']);
  });
});

describe('random splits of real data flag nothing', () => {
  test('birdstrikes (missing values, zeros, many categories): halves of a shuffle', () => {
    const rows = vegaCsv('birdstrikes.csv');
    const r = rng(9);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const schema = core.inferSchema(rows);
    const half = Math.floor(rows.length / 2);
    const pb = core.profile(schema);
    const pc = core.profile(schema);
    pb.recordRows(rows.slice(0, half));
    pc.recordRows(rows.slice(half));
    const report = core.compare(pb, pc);
    const flagged = Object.entries(report.columns).flatMap(([n, c]) =>
      c.quality.checks.filter((q) => q.flagged).map((q) => `${n}.${q.name}`),
    );
    expect(flagged).toEqual([]);
    expect(report.schema.flagged).toBe(false);
    pb.dispose();
    pc.dispose();
  });
});
