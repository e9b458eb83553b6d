// One tenant's bad rows stop nobody else. A project holds uploads whose counts are 2^52 each
// (valid one by one, together past 2^53), a raw upload and an hourly rollup that no longer decode
// (as stored before the decoder's checks, or damaged on disk), all in an hour of a closed day.
// Rollups, retention, reads, /metrics and alert rounds keep working for every other project,
// whose answers stay exactly those of its own raw rows; the bad pieces are quarantined, counted
// and logged; the 2^52 uploads never merge past 2^53.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { createKey } from '../../src/collector/keys.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, type Row } from './helpers/payloads.ts';
import { wireProfile, zeros } from '../helpers/wire.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(BACKENDS)('isolation of a bad group on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const day = now - (now % DAY) - 2 * DAY; // a closed day, within the ingest max age
  const hour = day + 3 * HOUR;
  // A recent window in today's open day, whatever the hour: it must not fold into a daily rollup.
  const recent = Math.max(now - 2 * HOUR, now - (now % DAY));
  const alphaRows: Row[] = [];

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { kAnonymity: 2, hourlyRetentionMs: 1 });
    // The other project: real uploads through the API, in the poisoned hour and in a recent one.
    for (let d = 0; d < 4; d++) {
      for (const [i, t] of [hour + 60_000, recent].entries()) {
        const rows = makeRows(d * 10 + i, 30);
        alphaRows.push(...rows);
        const bytes = makePayload(core, { deviceId: `alpha-device-${d}`, uploadId: `alpha-upload-${d}-${i}`, windowStart: t, rows });
        expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
      }
    }
    // The poisoning project, written straight into storage.
    const db = c.collector.context.db;
    await createKey(db, { project: 'mallory', kind: 'ingest' });
    const [{ id }] = await db.query<{ id: number }>(`select id from projects where name = 'mallory'`);
    await db.query(
      `insert into models (project_id, model, version, columns, created_at) values ($1, 'poison', '1', '{"x":"numeric"}', $2)`,
      [id, now],
    );
    const raw = async (n: number, payload: Uint8Array, rows: number) =>
      db.query(
        `insert into uploads (project_id, upload_id, model, version, segment, window_start, window_end, device_id, rows, payload, received_at)
         values ($1, $2, 'poison', '1', '{}', $3, $4, $5, $6, $7, $8)`,
        [id, `poison-upload-${n}`, hour + n * 60_000, hour + (n + 1) * 60_000, `mallory-device-${n}`, rows, payload, now],
      );
    for (let n = 0; n < 5; n++) await raw(n, wireProfile([zeros('x', 2 ** 52)]), 2 ** 52);
    await raw(5, Uint8Array.from([0x45, 0x57, 0x50, 0x46, 1, 0xff]), 1);
    // An hourly rollup whose count passed 2^53: it no longer decodes.
    await db.query(
      `insert into rollups (project_id, model, version, segment, hour, payload, devices, uploads, rows, noise, received)
       values ($1, 'poison', '1', '{}', $2, $3, '{mallory-device-9}', 5, 0, '{}', $4)`,
      [id, hour - HOUR, wireProfile([zeros('x', 2 ** 53 + 4)]), now],
    );
  });
  afterAll(() => c?.stop());

  const profile = async (from: number, to: number) =>
    (await get(`${c.url}/v1/models/churn/versions/1.0.0/profile?from=${from}&to=${to}`, c.keys.read)).body;

  it('rolls up, prunes and serves the other project; quarantines what cannot be read', async () => {
    const errors: string[] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    try {
      // The hour of the closed day, then the day: both levels, in later rounds too.
      for (let i = 0; i < 3; i++) await c.collector.runRollups(now);
    } finally {
      console.error = log;
    }
    const db = c.collector.context.db;
    // The other project's hour was folded into its day; the poisoned ones never stopped it.
    const folded = await db.query<{ n: number }>(
      `select count(*)::int as n from daily_rollups d join projects p on p.id = d.project_id where p.name = 'alpha'`,
    );
    expect(folded[0].n).toBe(1);
    const retention = await c.collector.runRetention(now);
    expect(retention.hourly).toBeGreaterThan(0);

    // Quarantined: the raw upload and the rollup that do not decode, nothing else.
    const q = await db.query<{ source: string; reason: string }>('select source, reason from quarantine order by source');
    expect(q.map((r) => r.source)).toEqual(['rollups', 'uploads']);
    for (const r of q) expect(r.reason).toMatch(/count out of range|unexpected end of data|invalid profile/);
    expect(errors.filter((e) => /quarantined/.test(e))).toHaveLength(2);
    const metrics = (await get(`${c.url}/metrics`, undefined)) as { status: number; body: string };
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/edgewatch_quarantined_total\{source="uploads"\} 1/);
    expect(metrics.body).toMatch(/edgewatch_quarantined_total\{source="rollups"\} 1/);
    // …and /metrics still reports the other project's model.
    expect(metrics.body).toMatch(/project="alpha"/);

    // The 2^52 uploads were folded without passing 2^53: every stored rollup still decodes.
    const rolled = await db.query<{ payload: Uint8Array }>(`select payload from rollups union all select payload from daily_rollups`);
    for (const r of rolled) {
      const p = core.profileFromBytes(r.payload);
      for (const n of p.columnNames) expect(p.summary(n).count).toBeLessThanOrEqual(2 ** 53);
      p.dispose();
    }

    // The other project reads exactly its raw rows, over the poisoned day and up to now.
    const all = await profile(day, now);
    expect(all).toMatchObject({ suppressed: false, devices: 4, uploads: 8, rows: alphaRows.length });
    expect(all.columns.age.count).toBe(alphaRows.length);
    expect(all.columns.age.missing).toBe(alphaRows.filter((r) => r.age === null).length);
    expect(all.columns.plan.items.find((x: { value: string }) => x.value === 'pro').count).toBe(
      alphaRows.filter((r) => r.plan === 'pro').length,
    );

    // An alert round evaluates every project.
    const round = await c.collector.runAlerts(now);
    expect(round.transitions).not.toBeNull();
  });

  it('the poisoned project itself still answers, from the groups that merge', async () => {
    const db = c.collector.context.db;
    const keys = await createKey(db, { project: 'mallory', kind: 'read' });
    const r = await get(`${c.url}/v1/models/poison/versions/1/profile?from=${day}&to=${day + DAY}`, keys.key);
    expect(r.status).toBe(200);
    // Two 2^52 uploads make exactly 2^53; the others had to stay apart.
    expect(r.body.columns.x.count).toBe(2 ** 53);
    expect(r.body.layouts).toBeGreaterThan(1);
  });
});
