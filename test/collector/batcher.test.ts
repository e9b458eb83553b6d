import { afterEach, describe, expect, it } from 'vitest';
import { UploadBatcher, type UploadRow } from '../../src/collector/ingest/batcher.ts';
import { openStorage } from '../../src/collector/storage/open.ts';
import type { Db } from '../../src/collector/storage/db.ts';
import { BACKENDS } from './helpers/backends.ts';

const row = (projectId: number, uploadId: string): UploadRow => ({
  projectId,
  uploadId,
  model: 'm',
  version: '1',
  segment: '{}',
  windowStart: 1,
  windowEnd: 2,
  deviceId: 'device-1',
  rows: 3,
  payload: new Uint8Array([1, 2, 3]),
  receivedAt: 4,
  noiseScale: null,
  counted: true,
});

describe.each(BACKENDS)('group commit on $name', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  async function open(): Promise<Db> {
    const made = await backend.create();
    const db = await openStorage(made.storage);
    cleanups.push(made.drop, () => db.close());
    await db.query("insert into projects (name, created_at) values ('p', 0)");
    return db;
  }

  it('inserts each upload id once, even twice in one batch, and tells each caller which it was', async () => {
    const db = await open();
    const b = new UploadBatcher(db, backend.name === 'postgres' ? 4 : 1, 16);
    const [{ id }] = await db.query<{ id: number }>('select id from projects');
    expect(await b.insert(row(id, 'upload-before'))).toBe(true);
    const ids = Array.from({ length: 100 }, (_, i) => `upload-${i % 70}`).concat(['upload-before']);
    const results = await Promise.all(ids.map((u) => b.insert(row(id, u))));
    expect(results.filter(Boolean)).toHaveLength(70);
    // Exactly one caller per id hears "inserted" (with concurrent batches, not always the first).
    for (let i = 0; i < 70; i++) expect(ids.filter((u, j) => u === `upload-${i}` && results[j])).toHaveLength(1);
    expect(results.at(-1)).toBe(false);
    const stored = await db.query<{ n: number }>('select count(*)::int as n from uploads');
    expect(stored[0].n).toBe(71);
  });

  it('gathers uploads that arrive in separate event-loop turns into one insert', async () => {
    const db = await open();
    const [{ id }] = await db.query<{ id: number }>('select id from projects');
    let inserts = 0;
    const counting = {
      query: ((sql: string, params?: unknown[]) => {
        if (sql.startsWith('insert into uploads')) inserts++;
        return db.query(sql, params);
      }) as Db['query'],
    };
    const b = new UploadBatcher(counting, 1, 256, true);
    // Each upload reaches the batcher from its own callback, as requests read from separate
    // sockets do; the first must not set off an insert of its own before the others are queued.
    const results = await Promise.all(
      Array.from(
        { length: 64 },
        (_, i) => new Promise<boolean>((resolve, reject) => setImmediate(() => b.insert(row(id, `upload-${i}`)).then(resolve, reject))),
      ),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(inserts).toBe(1);
    const stored = await db.query<{ n: number }>('select count(*)::int as n from uploads');
    expect(stored[0].n).toBe(64);
  });

  it('fails only the row that cannot be stored, not its batch neighbours', async () => {
    const db = await open();
    const b = new UploadBatcher(db, 1, 64);
    const [{ id }] = await db.query<{ id: number }>('select id from projects');
    const results = await Promise.allSettled([
      b.insert(row(id, 'upload-good-1')),
      b.insert(row(id + 999, 'upload-no-project')),
      b.insert(row(id, 'upload-good-2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await db.query<{ upload_id: string }>('select upload_id from uploads order by upload_id');
    expect(stored.map((r) => r.upload_id)).toEqual(['upload-good-1', 'upload-good-2']);
  });
});
