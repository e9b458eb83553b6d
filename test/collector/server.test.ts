// The HTTP server itself: the OpenAPI document generated from the route schemas, health, the
// metrics token, and a graceful shutdown that finishes what it acknowledged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { createCollector } from '../../src/collector/server.ts';
import { createKey } from '../../src/collector/keys.ts';
import { openStorage } from '../../src/collector/storage/open.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, startCollector } from './helpers/collector.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';

describe('collector server', () => {
  let core: Core;
  beforeAll(async () => {
    core = await sharedCore();
  });

  it('documents every JSON route in OpenAPI, answers health, and guards /metrics with its token', async () => {
    const c = await startCollector(BACKENDS[0], { metricsToken: 'scrape-secret' });
    try {
      const doc = (await get(`${c.url}/v1/openapi.json`, undefined)).body;
      expect(doc.openapi).toMatch(/^3\./);
      for (const path of [
        '/v1/ingest',
        '/v1/models',
        '/v1/models/{model}/versions/{version}/profile',
        '/v1/models/{model}/versions/{version}/drift',
        '/v1/models/{model}/versions/{version}/summaries',
        '/v1/models/{model}/versions/{version}/segments',
        '/v1/models/{model}/versions/{version}/baseline',
        '/v1/models/{model}/versions/{version}/grid',
        '/v1/alerts',
        '/v1/alerts/rules',
        '/v1/alerts/rules/{name}',
      ]) {
        expect(Object.keys(doc.paths)).toContain(path);
      }
      expect(doc.paths['/v1/models/{model}/versions/{version}/drift'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['from', 'to', 'step', 'segment', 'model', 'version']),
      );
      expect(
        doc.paths['/v1/models/{model}/versions/{version}/summaries'].get.parameters.find((p: { name: string }) => p.name === 'columns'),
      ).toMatchObject({ required: true });
      expect((await get(`${c.url}/healthz`, undefined)).body).toEqual({ ok: true });
      // A page on another origin may upload: the preflight allows the key header.
      const pre = await fetch(`${c.url}/v1/ingest`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(pre.status).toBeLessThan(300);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
      expect((await get(`${c.url}/metrics`, undefined)).status).toBe(401);
      expect((await get(`${c.url}/metrics`, 'wrong')).status).toBe(401);
      const m = await get(`${c.url}/metrics`, 'scrape-secret');
      expect(m.status).toBe(200);
      expect(m.body).toContain('edgewatch_ingest_in_flight');
    } finally {
      await c.stop();
    }
  });

  it('on shutdown finishes in-flight uploads: everything acknowledged is stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ew-shutdown-'));
    const db0 = await openStorage({ dataDir });
    const key = (await createKey(db0, { project: 'alpha', kind: 'ingest' })).key;
    await db0.close();
    const collector = await createCollector({ dataDir, rateLimitPerDevice: 0, alertIntervalMs: 0 });
    const url = await collector.app.listen({ host: '127.0.0.1', port: 0 });
    const now = Date.now();
    const uploads = Array.from({ length: 60 }, (_, i) =>
      makePayload(core, {
        deviceId: `device-${i % 7}`,
        uploadId: `upload-shutdown-${i}`,
        windowStart: now - (now % 60_000) - 120_000,
        rows: makeRows(i, 20),
      }),
    );
    let closing: Promise<void> | undefined;
    const results = await Promise.all(
      uploads.map(async (body, i) => {
        try {
          const res = await fetch(`${url}/v1/ingest`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
            body: body as BodyInit,
          });
          const json = (await res.json()) as { uploadId?: string };
          // Shut down as soon as the first upload is acknowledged, with the rest in flight.
          if (res.status === 200) closing ??= collector.close();
          return { status: res.status, id: res.status === 200 ? json.uploadId : undefined };
        } catch {
          return { status: 0, id: undefined, i };
        }
      }),
    );
    await closing;
    const acked = results.filter((r) => r.status === 200).map((r) => r.id!);
    expect(acked.length).toBeGreaterThan(0);
    for (const r of results) expect([0, 200, 503]).toContain(r.status);
    const db = await openStorage({ dataDir });
    try {
      const stored = (await db.query<{ upload_id: string }>('select upload_id from uploads')).map((r) => r.upload_id);
      for (const id of acked) expect(stored).toContain(id);
      expect(new Set(stored).size).toBe(stored.length);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
