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
    const [row] = await db.query<{ payload: Uint8Array; created_at: number }>(
      'select payload, created_at from baselines',
    );
    expect(Buffer.from(row.payload).equals(Buffer.from(bytes))).toBe(true);
    expect(row.created_at).toBe(5);
    const [p] = await db.query<{ created_at: number }>('select created_at from projects');
    expect(p.created_at).toBe(1_763_900_000_000);
  });
});
