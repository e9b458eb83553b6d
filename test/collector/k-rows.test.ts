// k-anonymity that an ingest-key holder cannot pad: made-up device ids uploading windows of
// fewer than --k-min-rows rows do not count towards k, so one real device's summaries stay
// suppressed, at every level (raw uploads, hourly and daily rollups) and in the segment list; a
// suppressed read says nothing of its counts; /metrics without a token has no segment series.
// Against a real collector on PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { withoutSegments } from '../../src/collector/model-metrics.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('k counts devices with enough rows (PGlite)', () => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  // Two days back, at a day bound: whole hours and a whole day for the rollups.
  const base = now - (now % DAY) - 2 * DAY;
  const v = (path: string) => `${c.url}/v1/models/churn/versions/1.0.0${path}`;
  const range = (from: number, to: number) => `from=${from}&to=${to}`;

  async function upload(device: string, id: string, at: number, rows: number, segment?: Record<string, string>) {
    const bytes = makePayload(core, {
      deviceId: `device-${device}`,
      uploadId: `upload-${id}`,
      windowStart: at,
      rows: makeRows(id.length + rows, rows),
      ...(segment ? { segment } : {}),
    });
    const res = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(BACKENDS[0], { kAnonymity: 5, kMinRows: 10, maxAgeMs: 4 * DAY });
    // Hour 0, segment eu: one real device (30 rows) and four made-up ids with 9 rows each.
    await upload('real', 'real-0', base + MIN, 30, { region: 'eu' });
    for (let d = 0; d < 4; d++) await upload(`fake-${d}`, `fake-${d}`, base + (2 + d) * MIN, 9, { region: 'eu' });
    // Hour 1, segment us: five real devices of 10 rows (exactly the minimum) each.
    for (let d = 0; d < 5; d++) await upload(`us-${d}`, `us-${d}`, base + HOUR + d * MIN, 10, { region: 'us' });
  });
  afterAll(() => c?.stop());

  const eu = encodeURIComponent(JSON.stringify({ region: 'eu' }));

  it('four padding devices do not unsuppress one real device, and nothing of it is counted', async () => {
    const res = await get(v(`/profile?${range(base, base + HOUR)}&segment=${eu}`), c.keys.read);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ from: base, to: base + HOUR, k: 5, suppressed: true });
    // The same without the segment: still one counted device in hour 0.
    expect((await get(v(`/profile?${range(base, base + HOUR)}`), c.keys.read)).body).toEqual({
      from: base,
      to: base + HOUR,
      k: 5,
      suppressed: true,
    });
  });

  it('a range with no upload at all says so with zero counts: no data is not a privacy matter', async () => {
    const res = await get(v(`/profile?${range(base - DAY, base - DAY + HOUR)}`), c.keys.read);
    expect(res.body).toEqual({ from: base - DAY, to: base - DAY + HOUR, k: 5, suppressed: true, devices: 0, uploads: 0, rows: 0 });
  });

  it('devices at the minimum count, and the padding devices still do not', async () => {
    const res = await get(v(`/profile?${range(base, base + 2 * HOUR)}`), c.keys.read);
    // Counted: the five us devices and the real eu one; the four padding ids are not.
    expect(res.body).toMatchObject({ suppressed: false, devices: 6, uploads: 10, rows: 30 + 4 * 9 + 5 * 10 });
    const segments = await get(v(`/segments?${range(base, base + 2 * HOUR)}`), c.keys.read);
    expect(segments.status).toBe(200);
    expect(JSON.stringify(segments.body)).not.toContain('"eu"');
    expect(JSON.stringify(segments.body)).toContain('"us"');
  });

  it('stays so after the uploads are rolled into hours and days', async () => {
    await c.collector.runRollups(now);
    expect((await get(v(`/profile?${range(base, base + HOUR)}`), c.keys.read)).body.suppressed).toBe(true);
    const day = await get(v(`/profile?${range(base, base + DAY)}`), c.keys.read);
    expect(day.body).toMatchObject({ suppressed: false, devices: 6 });
  });

  it('a suppressed step of a timeline carries no counts', async () => {
    const res = await get(v(`/summaries?columns=age&${range(base, base + 2 * HOUR)}&step=${HOUR}`), c.keys.read);
    expect(res.status).toBe(200);
    const [first] = res.body.points;
    expect(first).toEqual({ from: base, to: base + HOUR, suppressed: true });
  });

  it('private-mode uploads are released only from whole hours of a range: reads cannot be differenced', async () => {
    // Six devices, each a noisy window in hour 1 of model "privy", at minutes 10..15.
    for (let d = 0; d < 6; d++) {
      const p = core.profile({ columns: [{ name: 'age', kind: 'grid', edges: [20, 40, 60] }] });
      p.recordRows(makeRows(d, 20).map((r) => ({ age: r.age })));
      p.addNoise(1);
      p.meta = {
        model: 'privy',
        modelVersion: '1',
        windowStart: String(base + HOUR + (10 + d) * MIN),
        windowEnd: String(base + HOUR + (11 + d) * MIN),
        deviceId: `device-privy-${d}`,
        uploadId: `upload-privy-${d}`,
        privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale: 1 }),
      };
      const res = await post(`${c.url}/v1/ingest`, c.keys.ingest, p.toBytes());
      p.dispose();
      expect(res.status).toBe(200);
    }
    const read = async (from: number, to: number) =>
      (await get(`${c.url}/v1/models/privy/versions/1/profile?${range(from, to)}`, c.keys.read)).body;
    const whole = await read(base + HOUR, base + 2 * HOUR);
    expect(whole).toMatchObject({ suppressed: false, devices: 6, uploads: 6, privacy: { noisyUploads: 6 } });
    // Ranges that cut the hour hold none of it: [h+12 min, h+2 h) minus [h+13 min, h+2 h) would
    // otherwise be one device's noisy window.
    for (const [from, to] of [
      [base + HOUR + 12 * MIN, base + 2 * HOUR],
      [base + HOUR + 13 * MIN, base + 2 * HOUR],
      [base + HOUR, base + HOUR + 30 * MIN],
    ]) {
      expect(await read(from, to)).toMatchObject({ suppressed: true, uploads: 0 });
    }
    // A range that holds the whole hour and more releases exactly the hour's uploads.
    const wider = await read(base + HOUR - 7 * MIN, base + 2 * HOUR + 5 * MIN);
    expect(wider).toMatchObject({ suppressed: false, devices: 6, uploads: 6 });
    expect(wider.columns.age.counts).toEqual(whole.columns.age.counts);
  });

  it('/metrics without a token carries no per-segment series', () => {
    const text = [
      '# HELP edgewatch_model_freshness_seconds Seconds since the last upload.',
      '# TYPE edgewatch_model_freshness_seconds gauge',
      'edgewatch_model_freshness_seconds{project="alpha",model="churn",version="1",segment=""} 5',
      'edgewatch_model_freshness_seconds{project="alpha",model="churn",version="1",segment="{\\"region\\":\\"eu\\"}"} 5',
      'edgewatch_ingest_uploads_total{result="accepted"} 3',
    ].join('\n');
    expect(withoutSegments(text).split('\n')).toEqual([
      '# HELP edgewatch_model_freshness_seconds Seconds since the last upload.',
      '# TYPE edgewatch_model_freshness_seconds gauge',
      'edgewatch_model_freshness_seconds{project="alpha",model="churn",version="1",segment=""} 5',
      'edgewatch_ingest_uploads_total{result="accepted"} 3',
    ]);
  });

  it('the live /metrics without a token lists whole versions only', async () => {
    const m = (await get(`${c.url}/metrics`, undefined)).body as string;
    expect(m).toContain('segment=""');
    expect(m).not.toMatch(/segment="[^"]/);
  });
});
