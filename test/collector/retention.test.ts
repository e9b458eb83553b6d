// Daily rollups and retention change nothing a reader sees at day bounds: profiles, distinct
// devices and per-day drift are the same before and after uploads are folded into hours and days
// and the finer rows are pruned, and equal the truth of the rows uploaded. Devices stay a union
// (a device active every day counts once). A retried upload id whose raw row was pruned is
// refused by the ingest max age, never counted twice.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { expectClose } from './helpers/close.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(BACKENDS)('daily rollups and retention on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  // Three whole days, all within the ingest max age (4 days) at `now`.
  const base = now - (now % DAY) - 3 * DAY;
  const sent: { device: string; region: string; rows: Row[]; received: number }[] = [];
  const v = (path: string) => `${c.url}/v1/models/churn/versions/1.0.0${path}`;
  const upload = (day: number, hour: number, d: number, id: string) => {
    const rows = makeRows(day * 1000 + hour * 10 + d, 30, day === 2 ? 20 : 0);
    const bytes = makePayload(core, {
      deviceId: `device-${d}`,
      uploadId: id,
      windowStart: base + day * DAY + hour * HOUR,
      segment: { region: d % 2 ? 'eu' : 'us' },
      rows,
    });
    return { rows, bytes };
  };
  const send = async (day: number, hour: number, d: number, id: string) => {
    const { rows, bytes } = upload(day, hour, d, id);
    const received = Date.now();
    expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    sent.push({ device: `device-${d}`, region: d % 2 ? 'eu' : 'us', rows, received });
  };
  const reads = [
    `/profile?from=${base}&to=${base + 3 * DAY}`,
    `/profile?from=${base + DAY}&to=${base + 2 * DAY}&segment=${encodeURIComponent('{"region":"eu"}')}`,
    `/drift?from=${base}&to=${base + 3 * DAY}&step=${DAY}`,
  ];
  const readAll = async () => [
    ...(await Promise.all(reads.map(async (r) => (await get(v(r), c.keys.read)).body))),
    (await get(`${c.url}/v1/models`, c.keys.read)).body,
    (await get(v(`/segments?from=${base}&to=${base + 3 * DAY}`), c.keys.read)).body,
  ];
  const count = async (table: string) =>
    (await c.collector.context.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;

  /** The truth of everything uploaded: counts, the merged profile, the models and segments lists. */
  const expectTruth = (reads: unknown[]) => {
    const [profile, , , models, segments] = reads as Record<string, unknown>[];
    const devices = (of: typeof sent) => new Set(of.map((s) => s.device)).size;
    const last = (of: typeof sent) => Math.max(...of.map((s) => s.received));
    expect((models.models as unknown[])[0]).toMatchObject({ model: 'churn', devices: devices(sent) });
    // Received times are stamped by the collector between our before/after clocks: bounded, not equal.
    const lastUploadAt = (models.models as { lastUploadAt: number }[])[0].lastUploadAt;
    expect(lastUploadAt).toBeGreaterThanOrEqual(last(sent));
    const bySegment = ['eu', 'us'].map((region) => {
      const of = sent.filter((s) => s.region === region);
      return { segment: { region }, devices: devices(of), uploads: of.length, rows: of.reduce((a, s) => a + s.rows.length, 0) };
    });
    expect(segments.segments).toMatchObject(bySegment);
    const truth = profileOfRows(
      core,
      sent.flatMap((s) => s.rows),
    );
    try {
      expect(profile).toMatchObject({
        suppressed: false,
        devices: devices(sent),
        uploads: sent.length,
        rows: sent.reduce((a, s) => a + s.rows.length, 0),
      });
      const columns = profile.columns as Record<string, unknown>;
      for (const name of truth.columnNames) expectClose(columns[name], truth.summary(name));
    } finally {
      truth.dispose();
    }
  };

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, {
      kAnonymity: 3,
      maxAgeMs: 4 * DAY,
      rawRetentionMs: DAY, // kept 4 days anyway: never less than the max age
      hourlyRetentionMs: DAY,
      dailyRetentionMs: 0,
    });
    const baseline = profileOfRows(core, makeRows(9, 2000));
    await fetch(v('/baseline'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/octet-stream' },
      body: baseline.toBytes() as BodyInit,
    });
    baseline.dispose();
    // Three days, two hours a day, the same six devices every time.
    for (let day = 0; day < 3; day++) for (const h of [1, 13]) for (let d = 0; d < 6; d++) await send(day, h, d, `upload-${day}-${h}-${d}`);
  });
  afterAll(() => c?.stop());
  afterEach(() => vi.useRealTimers());

  let before: unknown[];

  it('folds hours into days with devices as a union, reading the same', async () => {
    before = await readAll();
    expectTruth(before);
    expect(await c.collector.runRollups(now)).toBe(36);
    expect(await count('rollups')).toBe(12); // 3 days × 2 hours × 2 segments
    const daily = await c.collector.context.db.query<{ devices: string[]; uploads: number }>('select devices, uploads from daily_rollups');
    expect(daily).toHaveLength(6); // 3 days × 2 segments
    for (const r of daily) expect([r.devices.length, Number(r.uploads)]).toEqual([3, 6]);
    expect(await c.collector.runRollups(now)).toBe(0);
    expectClose(await readAll(), before);
  });

  it('folds a late upload into a day already rolled, once', async () => {
    await send(1, 13, 7, 'upload-late');
    const withLate = await readAll();
    expectTruth(withLate);
    expect(withLate[0]).toMatchObject({ devices: 7 });
    expect(await c.collector.runRollups(now)).toBe(1);
    expect(await c.collector.runRollups(now)).toBe(0);
    expectClose(await readAll(), withLate);
    before = withLate;
  });

  it('keeps raw uploads for the max age at least, then prunes folded rows with reads unchanged', async () => {
    // At `now` every raw upload is within the max age: none goes, whatever raw retention says.
    // Hourly rows older than a day may (how many depends on the hour of the day the test runs).
    const first = await c.collector.runRetention(now);
    expect([first.raw, first.daily, await count('uploads')]).toEqual([0, 0, 37]);
    expectClose(await readAll(), before);
    const later = now + 5 * DAY;
    const second = await c.collector.runRetention(later);
    expect([second.raw, first.hourly + second.hourly, second.daily]).toEqual([37, 13, 0]);
    expect([await count('uploads'), await count('rollups'), await count('daily_rollups')]).toEqual([0, 0, 6]);
    const after = await readAll();
    expectClose(after, before);
    expectTruth(after);
  });

  it('refuses a retried upload id whose raw row was pruned, so it is never counted twice', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + 5 * DAY);
    const { bytes } = upload(0, 1, 0, 'upload-0-1-0');
    expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(422);
    vi.useRealTimers();
    expect(await count('uploads')).toBe(0);
    expectClose(await readAll(), before);
  });
});
