import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authenticate, createKey, hashKey, listKeys, revokeKey } from '../../src/collector/keys.ts';
import { keysCommand } from '../../src/collector/keys-command.ts';
import { openStorage } from '../../src/collector/storage/open.ts';
import type { Db } from '../../src/collector/storage/db.ts';
import { BACKENDS } from './helpers/backends.ts';

describe.each(BACKENDS)('keys on $name', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  async function open(): Promise<{ db: Db; storage: { databaseUrl?: string } }> {
    const made = await backend.create();
    const db = await openStorage(made.storage);
    cleanups.push(made.drop, () => db.close());
    return { db, storage: made.storage };
  }

  it('stores only a hash, authenticates the key to its own project, and forgets it when revoked', async () => {
    const { db } = await open();
    const a = await createKey(db, { project: 'alpha', kind: 'ingest', origins: ['https://shop.example'] });
    const b = await createKey(db, { project: 'beta', kind: 'read' });
    expect(a.key).toMatch(/^ewi_[A-Za-z0-9_-]{32}$/);
    expect(b.key).toMatch(/^ewr_/);

    const stored = await db.query<{ hash: string; prefix: string }>('select hash, prefix from api_keys order by id');
    expect(stored.map((r) => r.hash)).toEqual([hashKey(a.key), hashKey(b.key)]);
    const everything = JSON.stringify(await db.query('select * from api_keys'));
    expect(everything).not.toContain(a.key);
    expect(everything).not.toContain(b.key);

    const pa = await authenticate(db, a.key);
    expect(pa).toMatchObject({ project: 'alpha', kind: 'ingest', origins: ['https://shop.example'] });
    const pb = await authenticate(db, b.key);
    expect(pb).toMatchObject({ project: 'beta', kind: 'read' });
    expect(pb!.projectId).not.toBe(pa!.projectId);
    expect(await authenticate(db, a.key + 'x')).toBeNull();

    expect(await revokeKey(db, String(a.info.id))).toBe(1);
    expect(await authenticate(db, a.key)).toBeNull();
    expect(await revokeKey(db, String(a.info.id))).toBe(0);
    const listed = await listKeys(db, { project: 'alpha' });
    expect(listed).toHaveLength(1);
    expect(listed[0].revokedAt).not.toBeNull();
  });

  it('refuses bad kinds, project names and origins', async () => {
    const { db } = await open();
    await expect(createKey(db, { project: 'p', kind: 'root' as never })).rejects.toThrow(/invalid key kind/);
    await expect(createKey(db, { project: 'bad name!', kind: 'read' })).rejects.toThrow(/invalid project name/);
    await expect(createKey(db, { project: 'p', kind: 'ingest', origins: ['https://a.example/path'] })).rejects.toThrow(/invalid origin/);
    expect(await db.query('select * from api_keys')).toHaveLength(0);
  });

  it('`keys create|list|revoke` works on the configured storage', async () => {
    // The command opens its own storage: a data directory for PGlite, the URL for PostgreSQL.
    const { storage } = await open();
    let url = ['--database-url', storage.databaseUrl!];
    if (!storage.databaseUrl) {
      const dir = mkdtempSync(join(tmpdir(), 'ew-keys-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      url = ['--data-dir', dir];
    }
    const lines: string[] = [];
    expect(await keysCommand(['create', '--project', 'shop', '--kind', 'read', '--label', 'grafana', ...url], (l) => lines.push(l))).toBe(
      0,
    );
    const key = lines[0];
    expect(key).toMatch(/^ewr_/);
    lines.length = 0;
    expect(await keysCommand(['list', ...url], (l) => lines.push(l))).toBe(0);
    expect(lines[1]).toContain('shop\tread\t' + key.slice(0, 10));
    expect(lines[1]).toContain('grafana');
    expect(await keysCommand(['revoke', key.slice(0, 10), ...url], () => {})).toBe(0);
    expect(await keysCommand(['revoke', key.slice(0, 10), ...url], () => {})).toBe(1);
  });
});
