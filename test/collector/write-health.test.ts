// Failing writes show in /healthz: while the database refuses writes (as on a full disk) uploads
// get 5xx and /healthz says 503 with the reason, instead of "ok"; once writes work again, the
// next stored upload clears it. On both back-ends, with the database made read-only for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import pg from 'pg';
import { BACKENDS, postgresServerUrl } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';

describe.each(BACKENDS)('write health on $name', (backend) => {
  let core: Core;
  let c: Running;
  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend);
  });
  afterAll(() => c?.stop());

  it('reports failing writes until a write succeeds', async () => {
    const upload = (id: string) =>
      post(
        `${c.url}/v1/ingest`,
        c.keys.ingest,
        makePayload(core, { deviceId: 'device-disk', uploadId: id, windowStart: Date.now() - 120_000, rows: makeRows(1, 10) }),
      );
    expect((await upload('upload-disk-1')).status).toBe(200);
    expect((await get(`${c.url}/healthz`, undefined)).status).toBe(200);
    const db = c.collector.context.db;
    const [{ name }] = await db.query<{ name: string }>('select current_database() as name');
    const readOnly = async (on: boolean) => {
      if (backend.name === 'pglite') return void (await db.query(`set default_transaction_read_only = ${on ? 'on' : 'off'}`));
      // From another session: new sessions of the pool pick it up, the idle ones are ended.
      const admin = new pg.Client({ connectionString: postgresServerUrl() });
      await admin.connect();
      try {
        await admin.query(`alter database ${name} set default_transaction_read_only = ${on ? 'on' : 'off'}`);
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      } finally {
        await admin.end();
      }
    };
    await readOnly(true);
    const failed = await upload('upload-disk-2');
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const health = await get(`${c.url}/healthz`, undefined);
    expect(health.status).toBe(503);
    expect(health.body.error).toMatch(/^storage writes are failing: .*read-only/);
    const metrics = (await get(`${c.url}/metrics`, undefined)).body as string;
    expect(metrics).toMatch(/edgewatch_storage_writes_failing 1/);
    await readOnly(false);
    expect((await upload('upload-disk-3')).status).toBe(200);
    expect((await get(`${c.url}/healthz`, undefined)).status).toBe(200);
    const ids = (await db.query<{ upload_id: string }>('select upload_id from uploads order by upload_id')).map((r) => r.upload_id);
    expect(ids).toEqual(['upload-disk-1', 'upload-disk-3']);
  });
});
