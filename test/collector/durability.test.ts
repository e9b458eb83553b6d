// Acknowledged means durable: a load of uploads against a collector process that is killed with
// SIGKILL mid-stream and restarted; clients retry whatever was not acknowledged. At the end every
// acknowledged upload is stored, nothing is stored twice, and the totals are exact. On
// PostgreSQL, two collector processes then ingest concurrently into the same database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { createKey } from '../../src/collector/keys.ts';
import { openStorage, type StorageOptions } from '../../src/collector/storage/open.ts';
import { BACKENDS } from './helpers/backends.ts';
import { freePort, spawnCollector, type CollectorProcess } from './helpers/process.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';

const MIN = 60_000;

interface Upload {
  id: string;
  rows: number;
  bytes: Uint8Array;
}

function makeUploads(core: Core, n: number, tag: string): Upload[] {
  const now = Date.now();
  const window = now - (now % MIN) - 10 * MIN;
  return Array.from({ length: n }, (_, i) => {
    const rows = makeRows(i, 5 + (i % 17));
    const id = `upload-${tag}-${i}`;
    return {
      id,
      rows: rows.length,
      bytes: makePayload(core, { deviceId: `device-${i % 9}-${tag}`, uploadId: id, windowStart: window, rows }),
    };
  });
}

/**
 * Sends every upload until it is acknowledged, `clients` at a time; `target()` gives the URL to
 * use now. Returns the ids acknowledged as new and how many were acknowledged as duplicates.
 */
async function sendAll(uploads: Upload[], key: string, target: () => string, clients: number, onAck: (n: number) => void) {
  const acked = new Set<string>();
  let duplicates = 0;
  let next = 0;
  async function client() {
    while (next < uploads.length) {
      const u = uploads[next++];
      for (;;) {
        try {
          const res = await fetch(`${target()}/v1/ingest`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
            body: u.bytes as BodyInit,
          });
          const body = (await res.json()) as { duplicate?: boolean };
          if (res.status === 200) {
            if (body.duplicate) duplicates++;
            else acked.add(u.id);
            onAck(acked.size + duplicates);
            break;
          }
          if (res.status !== 503) throw new Error(`unexpected ${res.status} ${JSON.stringify(body)}`);
        } catch (err) {
          if ((err as Error).message.startsWith('unexpected')) throw err;
          // Connection refused or reset: the collector is down; retry the same upload.
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  return { acked, duplicates };
}

async function totals(storage: StorageOptions) {
  const db = await openStorage(storage);
  try {
    const rows = await db.query<{ upload_id: string; rows: number }>('select upload_id, rows from uploads');
    return { ids: rows.map((r) => r.upload_id), rows: rows.reduce((s, r) => s + r.rows, 0) };
  } finally {
    await db.close();
  }
}

describe.each(BACKENDS)('durability on $name', (backend) => {
  let core: Core;
  let storage: StorageOptions;
  let drop: () => Promise<void>;
  let key: string;

  beforeAll(async () => {
    core = await sharedCore();
    if (backend.name === 'pglite') {
      const dataDir = mkdtempSync(join(tmpdir(), 'ew-durable-'));
      storage = { dataDir };
      drop = async () => rmSync(dataDir, { recursive: true, force: true });
    } else {
      const made = await backend.create();
      storage = made.storage;
      drop = made.drop;
    }
    const db = await openStorage(storage);
    key = (await createKey(db, { project: 'alpha', kind: 'ingest' })).key;
    await db.close();
  });
  afterAll(() => drop?.());

  const args = (port: number) => [
    '--port',
    String(port),
    '--rate-limit-per-device',
    '0',
    ...(storage.databaseUrl ? ['--database-url', storage.databaseUrl] : ['--data-dir', storage.dataDir!]),
  ];

  it('loses no acknowledged upload when the collector is killed with SIGKILL', async () => {
    const uploads = makeUploads(core, 400, 'kill');
    const port = await freePort();
    let proc: CollectorProcess = await spawnCollector(args(port));
    const url = proc.url;
    let killed = false;
    let restarted: Promise<void> | undefined;
    const sent = sendAll(
      uploads,
      key,
      () => url,
      4,
      (n) => {
        if (!killed && n >= 120) {
          killed = true;
          proc.child.kill('SIGKILL');
          restarted = proc.exited.then(async () => {
            proc = await spawnCollector(args(port));
          });
        }
      },
    );
    const { acked, duplicates } = await sent;
    await restarted;
    expect(killed).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    const stored = await totals(storage);
    expect(new Set(stored.ids).size).toBe(stored.ids.length);
    expect(stored.ids.length).toBe(uploads.length);
    for (const id of acked) expect(stored.ids).toContain(id);
    expect(acked.size + duplicates).toBe(uploads.length);
    expect(stored.rows).toBe(uploads.reduce((s, u) => s + u.rows, 0));
  });
});

// PGlite belongs to one process; sharing a database between collectors is PostgreSQL's job.
describe('two collectors on one PostgreSQL', () => {
  let core: Core;
  let storage: StorageOptions;
  let drop: () => Promise<void>;
  let key: string;

  beforeAll(async () => {
    core = await sharedCore();
    const made = await BACKENDS.find((b) => b.name === 'postgres')!.create();
    storage = made.storage;
    drop = made.drop;
    const db = await openStorage(storage);
    key = (await createKey(db, { project: 'alpha', kind: 'ingest' })).key;
    await db.close();
  });
  afterAll(() => drop?.());

  const args = (port: number) => ['--port', String(port), '--rate-limit-per-device', '0', '--database-url', storage.databaseUrl!];

  it('two collector processes on one database give exact totals', async () => {
    const before = await totals(storage);
    const uploads = makeUploads(core, 300, 'pair');
    const [a, b] = await Promise.all([freePort().then((p) => spawnCollector(args(p))), freePort().then((p) => spawnCollector(args(p)))]);
    try {
      // Both processes receive every upload, in opposite orders: each is stored exactly once.
      const [ra, rb] = await Promise.all([
        sendAll(
          uploads,
          key,
          () => a.url,
          3,
          () => {},
        ),
        sendAll(
          [...uploads].reverse(),
          key,
          () => b.url,
          3,
          () => {},
        ),
      ]);
      expect(ra.acked.size + rb.acked.size).toBe(uploads.length);
      expect(ra.duplicates + rb.duplicates).toBe(uploads.length);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
    const after = await totals(storage);
    expect(after.ids.length - before.ids.length).toBe(uploads.length);
    expect(after.rows - before.rows).toBe(uploads.reduce((s, u) => s + u.rows, 0));
  });
});
