// compareInSlices gives the event loop back between slices of columns and reports exactly what
// compare reports, schema changes included.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import type { ColumnSpec } from '../../src/core/types.ts';

const core = await loadCore();

function profileOf(columns: ColumnSpec[], shift: number) {
  const p = core.profile({ columns });
  const rows = Array.from({ length: 300 }, (_, r) =>
    Object.fromEntries(
      columns.map((c, j) => [c.name, c.kind === 'categorical' ? `k${(r + j + shift) % 5}` : Math.sin(r * 7 + j) * 10 + shift]),
    ),
  );
  p.recordRows(rows);
  return p;
}

test('slices of columns report what one pass reports', async () => {
  const shared: ColumnSpec[] = Array.from({ length: 40 }, (_, j) =>
    j % 4 === 3 ? { name: `c${j}`, kind: 'categorical' } : { name: `x${j}`, kind: 'numeric', center: 0 },
  );
  // The baseline also has a column the window lacks and one of another kind; the window adds one.
  const baseline = profileOf([...shared, { name: 'gone', kind: 'numeric', center: 0 }, { name: 'kind', kind: 'numeric', center: 0 }], 0);
  const current = profileOf([...shared, { name: 'kind', kind: 'categorical' }, { name: 'new', kind: 'numeric', center: 0 }], 3);
  try {
    let pauses = 0;
    const sliced = await core.compareInSlices(baseline, current, { pvalue: 0.01 }, async () => {
      pauses++;
    });
    expect(sliced).toEqual(core.compare(baseline, current, { pvalue: 0.01 }));
    expect(sliced.schema.missing).toEqual(['gone']);
    expect(sliced.schema.added).toEqual(['new']);
    expect(sliced.schema.changed).toEqual([{ name: 'kind', baseline: 'numeric', current: 'categorical' }]);
    // One step per compared column (40), a pause after every 16.
    expect(pauses).toBe(2);
  } finally {
    baseline.dispose();
    current.dispose();
  }
});
