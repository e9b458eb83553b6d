// Private-mode uploads: devices record on the grid the collector derives from the baseline, add
// noise, and upload; the collector merges them apart from full-histogram uploads and compares
// them with the baseline like any other sketch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import type { ColumnSpec } from '../../src/core/types.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('private-mode uploads (PGlite)', () => {
  let core: Core;
  let c: Running;
  let gridColumns: ColumnSpec[];
  const now = Date.now();
  const base = now - (now % HOUR) - 2 * HOUR;
  const v = (path: string) => `${c.url}/v1/models/churn/versions/1.0.0${path}`;

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(BACKENDS[0]);
    const baseline = profileOfRows(core, makeRows(100, 4000));
    const res = await fetch(v('/baseline'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/octet-stream' },
      body: baseline.toBytes() as BodyInit,
    });
    baseline.dispose();
    expect(res.status).toBe(200);
    const grid = (await get(`${c.url}/v1/grid/churn/1.0.0`, c.keys.ingest)).body.columns as Record<
      string,
      { edges?: number[]; vocabulary?: string[] }
    >;
    gridColumns = Object.entries(grid).map(([name, g]) =>
      g.edges ? { name, kind: 'grid', edges: g.edges } : { name, kind: 'categorical', vocabulary: g.vocabulary! },
    );
  });
  afterAll(() => c?.stop());

  async function uploadPrivate(hour: number, d: number, rows: Row[], noiseScale = 1) {
    const p = core.profile({ columns: gridColumns });
    p.recordRows(rows);
    p.addNoise(noiseScale);
    p.meta = {
      model: 'churn',
      modelVersion: '1.0.0',
      windowStart: String(base + hour * HOUR + d * MIN),
      windowEnd: String(base + hour * HOUR + (d + 1) * MIN),
      deviceId: `device-private-${d}`,
      uploadId: `upload-private-${hour}-${d}`,
      privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale }),
    };
    const bytes = p.toBytes();
    p.dispose();
    expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
  }

  it('merges noisy grid uploads, keeps them apart from full uploads, and compares them with the baseline', async () => {
    // Hour 0: six private devices, unshifted, and five full-mode devices with fewer rows.
    for (let d = 0; d < 6; d++) await uploadPrivate(0, d, makeRows(d, 300));
    for (let d = 0; d < 5; d++) {
      const bytes = makePayload(core, {
        deviceId: `device-full-${d}`,
        uploadId: `upload-full-${d}`,
        windowStart: base + d * MIN,
        rows: makeRows(50 + d, 40),
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    }
    // Hour 1: the same six private devices, ages shifted by 20 years, two of them noisier.
    for (let d = 0; d < 6; d++) await uploadPrivate(1, d, makeRows(10 + d, 300, 20), d < 2 ? 2.5 : 1);

    const hour0 = await get(v(`/profile?from=${base}&to=${base + HOUR}`), c.keys.read);
    expect(hour0.body).toMatchObject({
      suppressed: false,
      layouts: 2,
      devices: 6,
      uploads: 6,
      privacy: { noisyUploads: 6, noiseScales: { '1': 6 } },
    });
    const both = await get(v(`/profile?from=${base}&to=${base + 2 * HOUR}`), c.keys.read);
    // Every count cell carries one draw per upload: variance 2q/(1−q)², q = e^(−1/b), summed.
    const variance = (b: number) => (2 * Math.exp(-1 / b)) / (1 - Math.exp(-1 / b)) ** 2;
    const sd = Math.sqrt(10 * variance(1) + 2 * variance(2.5));
    expect(both.body.privacy).toEqual({
      noisyUploads: 12,
      noiseScales: { '1': 10, '2.5': 2 },
      cellError: { sd: expect.closeTo(sd, 10), halfWidth95: expect.closeTo(1.96 * sd, 10) },
    });
    // Rolled up, the noise bookkeeping is the same.
    await c.collector.runRollups(now);
    expect((await get(v(`/profile?from=${base}&to=${base + 2 * HOUR}`), c.keys.read)).body.privacy).toEqual(both.body.privacy);
    expect(hour0.body.columns.age.kind).toBe('grid');
    expect(hour0.body.columns.age.edges).toEqual((gridColumns.find((x) => x.name === 'age') as unknown as { edges: number[] }).edges);

    const drift = await get(v(`/drift?from=${base}&to=${base + 2 * HOUR}&step=${HOUR}`), c.keys.read);
    expect(drift.status).toBe(200);
    const [p0, p1] = drift.body.points;
    expect(p0.columns.age.drifted.drifted).toBe(false);
    expect(p1.columns.age.drifted.drifted).toBe(true);
    expect(p1.columns.income.drifted.drifted).toBe(false);
  });

  it('refuses a private-mode upload that does not say its noise scale', async () => {
    const p = core.profile({ columns: gridColumns });
    p.recordRows(makeRows(1, 10));
    p.meta = {
      model: 'churn',
      modelVersion: '1.0.0',
      windowStart: String(base),
      windowEnd: String(base + MIN),
      deviceId: 'device-private-x',
      uploadId: 'upload-private-no-scale',
      privacy: JSON.stringify({ mode: 'dp', epsilon: 1 }),
    };
    const bytes = p.toBytes();
    p.dispose();
    expect(await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).toMatchObject({ status: 422, body: { reason: 'header' } });
  });
});
