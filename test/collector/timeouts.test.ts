// Slow clients cannot hold the collector's sockets: a client that never finishes its headers or
// its body is disconnected by the server, and a shutdown with such an upload in flight ends at
// its deadline without losing what was acknowledged.
import { connect, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import type { Db } from '../../src/collector/storage/db.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector } from './helpers/collector.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';

/** Opens a raw connection to `url`, writes `head`, and resolves with what the server sent once it closes the socket. */
function holdOpen(url: string, head: string): { closed: Promise<string>; socket: Socket } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let got = '';
  socket.on('data', (d) => (got += d));
  socket.on('error', () => {});
  socket.write(head);
  return { socket, closed: new Promise((resolve) => socket.on('close', () => resolve(got))) };
}

describe('request timeouts and the shutdown deadline', () => {
  let core: Core;
  beforeAll(async () => {
    core = await sharedCore();
  });

  it('closes connections whose headers or body never arrive, and keeps serving others', async () => {
    const c = await startCollector(BACKENDS[0], { headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 400 });
    try {
      const slowHeaders = Array.from({ length: 20 }, () => holdOpen(c.url, 'POST /v1/ingest HTTP/1.1\r\nHost: x\r\n'));
      const slowBodies = Array.from({ length: 20 }, () =>
        holdOpen(
          c.url,
          `POST /v1/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.keys.ingest}\r\n` +
            'Content-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\nEWPF',
        ),
      );
      // Meanwhile the server answers everyone else.
      expect((await get(`${c.url}/healthz`, undefined)).status).toBe(200);
      const answers = await Promise.all([...slowHeaders, ...slowBodies].map((s) => s.closed));
      // Every slow client was disconnected by the server (the test would time out otherwise);
      // none of them was answered with a success.
      for (const a of answers) expect(a).not.toMatch(/^HTTP\/1\.1 2/);
      const payload = makePayload(core, {
        deviceId: 'device-0001',
        uploadId: 'upload-0001',
        windowStart: Date.now() - 120_000,
        rows: makeRows(1, 50),
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, payload)).status).toBe(200);
    } finally {
      await c.stop();
    }
  });

  it('advertises a keep-alive no longer than its idle timeout, so reused sockets are never cut', async () => {
    const c = await startCollector(BACKENDS[0], { idleTimeoutMs: 400 });
    try {
      const r = await fetch(`${c.url}/healthz`);
      await r.text();
      // Clients keep a socket for the advertised time (undici: minus a second).
      expect(r.headers.get('keep-alive')).toMatch(/timeout=0\b/);
      await new Promise((done) => setTimeout(done, 600));
      expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    } finally {
      await c.stop();
    }
  });

  it.each(BACKENDS)('answers a read that waits past the idle and request timeouts for the database ($name)', async (backend) => {
    // Neither the idle nor the whole-request timeout may cut a request received whole.
    const c = await startCollector(backend, { idleTimeoutMs: 300, requestTimeoutMs: 500, headersTimeoutMs: 300, kAnonymity: 1 });
    try {
      const now = Date.now();
      const windowStart = now - (now % 60_000) - 120_000;
      const bytes = makePayload(core, { deviceId: 'device-0001', uploadId: 'upload-0001', windowStart, rows: makeRows(1, 50) });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
      const db = c.collector.context.db as Db;
      // A transaction holds the uploads table for several idle timeouts: the read, its request
      // received whole, waits in its handler on a socket nobody writes to.
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = db.transaction(async (tx) => {
        await tx.query('lock table uploads in access exclusive mode');
        locked();
        await released;
      });
      await isLocked;
      let answered = false;
      const read = get(`${c.url}/v1/models/churn/versions/1.0.0/profile?from=${windowStart}&to=${windowStart + 60_000}`, c.keys.read)
        .catch((err: Error) => ({ status: 0, body: { error: err.message } }))
        .finally(() => (answered = true));
      await new Promise((r) => setTimeout(r, 1500));
      const waited = !answered;
      release();
      await holder;
      const r = await read;
      expect(waited).toBe(true);
      expect(r.status).toBe(200);
      expect(r.body.uploads).toBe(1);
      // The socket is idle-timed again once answered: a keep-alive left silent is still closed.
      const slow = holdOpen(c.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await slow.closed).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      await c.stop();
    }
  });

  it('a shutdown ends at its deadline with a slow upload in flight, keeping every acknowledged upload', async () => {
    const c = await startCollector(BACKENDS[0], { headersTimeoutMs: 0, requestTimeoutMs: 0, idleTimeoutMs: 0, shutdownTimeoutMs: 300 });
    let stopped = false;
    try {
      const now = Date.now();
      const acked: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = `upload-${String(i).padStart(4, '0')}`;
        const r = await post(
          `${c.url}/v1/ingest`,
          c.keys.ingest,
          makePayload(core, { deviceId: `device-${i}-abc`, uploadId: id, windowStart: now - 120_000, rows: makeRows(i, 20) }),
        );
        if (r.status === 200) acked.push(id);
      }
      expect(acked).toHaveLength(5);
      // With every request timeout off, only the shutdown deadline can end this upload.
      const slow = holdOpen(
        c.url,
        `POST /v1/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.keys.ingest}\r\n` +
          'Content-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\nEWPF',
      );
      await new Promise((r) => setTimeout(r, 100));
      const db = c.collector.context.db;
      const rows = await db.query<{ upload_id: string }>('select upload_id from uploads order by upload_id');
      expect(rows.map((r) => r.upload_id)).toEqual(acked);
      await c.collector.close();
      stopped = true;
      await slow.closed;
    } finally {
      if (!stopped) await c.stop();
    }
  });
});
