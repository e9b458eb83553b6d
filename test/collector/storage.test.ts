import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/collector/storage/open.ts';
import { migrate, MIGRATIONS } from '../../src/collector/storage/migrations.ts';
import type { Db } from '../../src/collector/storage/db.ts';
import { BACKENDS } from './helpers/backends.ts';

describe.each(BACKENDS)('storage on $name', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  async function open(): Promise<{ db: Db; storage: object }> {
    const made = await backend.create();
    const db = await openStorage(made.storage);
    cleanups.push(made.drop, () => db.close());
    return { db, storage: made.storage };
  }

  it('applies every migration once, and again is a no-op', async () => {
    const { db } = await open();
    expect(db.kind).toBe(backend.name);
    const applied = await db.query<{ version: number }>('select version from schema_migrations order by version');
    expect(applied.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    await migrate(db);
    const again = await db.query('select version from schema_migrations');
    expect(again).toHaveLength(MIGRATIONS.length);
  });

  it('gives rules stored before rolling windows the 1 h window, and their alerts its series key', async () => {
    const { db } = await open();
    // A database at migration 8 (the schema rebuilt from scratch, so later migrations apply
    // again whatever they do), with a rule and an open alert stored then.
    await db.query('drop schema public cascade');
    await db.query('create schema public');
    await db.query('create table schema_migrations (version int primary key, applied_at bigint not null)');
    for (let i = 0; i < 8; i++) {
      for (const stmt of MIGRATIONS[i]
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean))
        await db.query(stmt);
      await db.query('insert into schema_migrations (version, applied_at) values ($1, 0)', [i + 1]);
    }
    await db.query("insert into projects (id, name, created_at) values (1, 'a', 1)");
    await db.query(`insert into alert_rules (id, project_id, name, metric, op, threshold, for_windows, severity, owner, webhook_format, created_at)
                    values (1, 1, 'drift', 'drifted', '>=', 1, 3, 'ticket', 'ml', 'json', 1)`);
    await db.query(`insert into alerts (rule_id, series, state, streak, value, evidence, started_at, updated_at)
                    values (1, 'churn|1.0.0|age', 'pending', 1, 1, '{}', 1, 1)`);
    expect(await migrate(db)).toBe(MIGRATIONS.length);
    expect(await db.query('select eval_window from alert_rules')).toEqual([{ eval_window: '1h' }]);
    expect(await db.query('select series from alerts')).toEqual([{ series: 'churn|1.0.0|age|1h' }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const { db } = await open();
    await db.transaction((tx) => tx.query("insert into projects (name, created_at) values ('a', 1)"));
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into projects (name, created_at) values ('b', 2)");
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await db.query<{ name: string }>('select name from projects order by name');
    expect(rows.map((r) => r.name)).toEqual(['a']);
  });

  it('round-trips bytes and returns BIGINT as numbers', async () => {
    const { db } = await open();
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7) & 255);
    await db.query("insert into projects (name, created_at) values ('p', $1)", [1_763_900_000_000]);
    await db.query(
      `insert into baselines (project_id, model, version, payload, created_at)
       values ((select id from projects where name = 'p'), 'm', '1', $1, 5)`,
      [bytes],
    );
    const [row] = await db.query<{ payload: Uint8Array; created_at: number }>('select payload, created_at from baselines');
    expect(Buffer.from(row.payload).equals(Buffer.from(bytes))).toBe(true);
    expect(row.created_at).toBe(5);
    // A view into a larger buffer (as a request body is) stores exactly its own bytes: the
    // server's digest of what it holds equals the digest of the view.
    const slab = new Uint8Array(10_000).map((_, i) => (i * 13 + 1) & 255);
    const view = slab.subarray(1234, 1234 + 4453);
    await db.query(
      `insert into baselines (project_id, model, version, payload, created_at)
       values ((select id from projects where name = 'p'), 'm', '2', $1, 6)`,
      [view],
    );
    const [held] = await db.query<{ md5: string; n: number }>(
      "select md5(payload) as md5, length(payload) as n from baselines where version = '2'",
    );
    expect(held).toEqual({ md5: createHash('md5').update(view).digest('hex'), n: 4453 });
    const [p] = await db.query<{ created_at: number }>('select created_at from projects');
    expect(p.created_at).toBe(1_763_900_000_000);
  });

  it('stores raw upload payloads uncompressed (pglz costs more time than the space it saves)', async () => {
    const { db } = await open();
    await db.query("insert into projects (name, created_at) values ('p', 1)");
    // Highly compressible and over the TOAST threshold: pglz would shrink it to a few bytes.
    const payload = new Uint8Array(4453).fill(7);
    await db.query(
      `insert into uploads (project_id, upload_id, model, version, segment, window_start, window_end, device_id, rows, payload, received_at)
       values ((select id from projects where name = 'p'), 'upload-1', 'm', '1', '{}', 1, 2, 'device-1', 3, $1, 4)`,
      [payload],
    );
    const [row] = await db.query<{ stored: number; n: number }>(
      'select pg_column_size(payload) as stored, length(payload) as n from uploads',
    );
    expect(row).toEqual({ stored: 4453, n: 4453 });
  });
});
