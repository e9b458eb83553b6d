// Which segment, on both back-ends: segments of k devices ranked by their contribution to a
// column's drift and to an accuracy drop, each contribution equal to the core's figures on the
// raw rows recorded at once (all rows, and all rows but the segment's); a segment below k devices
// is never listed, though its rows count in the others' figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { driftOptions, defaultOptions } from '../../src/collector/config.ts';
import type { ColumnSpec } from '../../src/core/types.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { expectedPerformance, FEEDBACK_COLUMNS, labelledRows, OUT, recordFeedback, type Labelled } from './helpers/feedback.ts';
import { COLUMNS as BASE_COLUMNS, makeRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const COLUMNS: ColumnSpec[] = [...BASE_COLUMNS, ...FEEDBACK_COLUMNS];

/** Devices per segment, the age shift of their rows, and how right the model is for them. */
const SEGMENTS = [
  { segment: { app: '5.2', region: 'seattle' }, devices: 6, shift: 0, boost: 1.0 },
  { segment: { app: '5.2', region: 'new-york' }, devices: 6, shift: 20, boost: 0.05 },
  { segment: { app: '5.1', region: 'seattle' }, devices: 5, shift: 3, boost: 1.0 },
  { segment: { app: '5.1', region: 'tiny-town' }, devices: 2, shift: 40, boost: 0.05 },
];

describe.each(BACKENDS)('segment ranking on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const rows: { key: string; region: string; rows: Row[]; labelled: Labelled[] }[] = [];
  const baselineRows = makeRows(100, 3000);

  const rank = (query: string) =>
    get(`${c.url}/v1/models/churn/versions/1.0.0/segments/ranking?from=${now - 40 * MIN}&to=${now}&${query}`, c.keys.read);
  /** The core's JS distance of the age column to the baseline, on raw rows recorded at once. */
  const js = (rs: Row[]) => {
    const b = core.profile({ columns: BASE_COLUMNS });
    const p = core.profile({ columns: BASE_COLUMNS });
    try {
      b.recordRows(baselineRows);
      p.recordRows(rs);
      return core.compare(b, p, driftOptions(defaultOptions())).columns.age.js;
    } finally {
      b.dispose();
      p.dispose();
    }
  };

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend);
    const b = core.profile({ columns: COLUMNS });
    b.recordRows(baselineRows);
    await putBaseline(c, b);
    b.dispose();
    let d = 0;
    for (const s of SEGMENTS) {
      for (let i = 0; i < s.devices; i++, d++) {
        const r = makeRows(d, 150, s.shift);
        const labelled = labelledRows(500 + d, 40, s.boost);
        const p = core.profile({ columns: COLUMNS });
        try {
          p.recordRows(r);
          recordFeedback(p, labelled);
          const start = now - 30 * MIN + i * MIN;
          p.meta = {
            model: 'churn',
            modelVersion: '1.0.0',
            windowStart: String(start),
            windowEnd: String(start + MIN),
            deviceId: `device-${d}`,
            uploadId: `upload-${d}`,
            segment: JSON.stringify(s.segment),
          };
          expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, p.toBytes())).status).toBe(200);
        } finally {
          p.dispose();
        }
        rows.push({ key: JSON.stringify(s.segment), region: s.segment.region, rows: r, labelled });
      }
    }
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("ranks segments by their part in a column's drift, with the core's figures on the raw rows", async () => {
    const r = await rank('column=age');
    expect(r.status).toBe(200);
    const listed = r.body.segments.map((s: { segment: unknown }) => JSON.stringify(s.segment));
    // Three segments of k devices; New York first; the two-device town never listed.
    expect(listed).toEqual([JSON.stringify(SEGMENTS[1].segment), ...listed.slice(1)]);
    expect([...listed].sort()).toEqual([SEGMENTS[0], SEGMENTS[1], SEGMENTS[2]].map((s) => JSON.stringify(s.segment)).sort());
    const all = rows.flatMap((x) => x.rows);
    expect(r.body.all.drift.js).toBeCloseTo(js(all), 10);
    for (const s of r.body.segments) {
      const key = JSON.stringify(s.segment);
      const rest = rows.filter((x) => x.key !== key).flatMap((x) => x.rows);
      expect(s.driftContribution).toBeCloseTo(js(all) - js(rest), 10);
      expect(s.drift.js).toBeCloseTo(js(rows.filter((x) => x.key === key).flatMap((x) => x.rows)), 10);
      expect(s.devices).toBe(SEGMENTS.find((x) => JSON.stringify(x.segment) === key)!.devices);
    }
    const contributions = r.body.segments.map((s: { driftContribution: number }) => s.driftContribution);
    expect(contributions).toEqual([...contributions].sort((a, b) => b - a));
  });

  it('ranks by an accuracy drop, and groups by one segment key', async () => {
    const r = await rank(`output=${OUT}`);
    const allLabelled = rows.flatMap((x) => x.labelled);
    expect(r.body.all.accuracy).toBeCloseTo(expectedPerformance(allLabelled).accuracy, 12);
    expect(r.body.segments[0].segment).toEqual(SEGMENTS[1].segment);
    for (const s of r.body.segments) {
      const key = JSON.stringify(s.segment);
      const rest = rows.filter((x) => x.key !== key).flatMap((x) => x.labelled);
      expect(s.accuracyContribution).toBeCloseTo(expectedPerformance(rest).accuracy - expectedPerformance(allLabelled).accuracy, 12);
    }
    const byRegion = await rank('column=age&by=region');
    expect(byRegion.body.segments.map((s: { segment: unknown; devices: number }) => [s.segment, s.devices])).toEqual([
      [{ region: 'new-york' }, 6],
      [{ region: 'seattle' }, 11],
    ]);
    const seattle = rows.filter((x) => x.region === 'seattle').flatMap((x) => x.rows);
    expect(byRegion.body.segments[1].drift.js).toBeCloseTo(js(seattle), 10);
  });

  it('refuses a ranking of nothing, and drift without a baseline', async () => {
    expect((await rank('')).status).toBe(400);
    const none = await get(`${c.url}/v1/models/churn/versions/9/segments/ranking?column=age`, c.keys.read);
    expect(none.status).toBe(404);
  });
});
