// POST /v1/ingest over real HTTP on both storage back-ends: what is accepted, what is refused
// and why, and that a refusal stores nothing and loses nothing stored before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;

describe.each(BACKENDS)('ingest on $name', (backend) => {
  let core: Core;
  let c: Running;
  let ingestUrl: string;
  const now = Date.now();
  const window = now - (now % MIN) - 5 * MIN;

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { maxPayloadBytes: 64 * 1024 });
    ingestUrl = `${c.url}/v1/ingest`;
  });
  afterAll(() => c?.stop());

  const stored = async (uploadId?: string) =>
    c.collector.context.db.query<{ upload_id: string; rows: number }>(
      'select upload_id, rows from uploads where $1::text is null or upload_id = $1 order by id',
      [uploadId ?? null],
    );

  it('stores a valid upload once; a retry with the same upload id is a duplicate', async () => {
    const rows = makeRows(1, 200);
    const bytes = makePayload(core, { deviceId: 'device-0001', uploadId: 'upload-idem-1', windowStart: window, rows });
    const first = await post(ingestUrl, c.keys.ingest, bytes);
    expect(first).toMatchObject({ status: 200, body: { ok: true, duplicate: false, uploadId: 'upload-idem-1' } });
    const again = await post(ingestUrl, c.keys.ingest, bytes);
    expect(again).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
    const s = await stored('upload-idem-1');
    expect(s).toHaveLength(1);
    expect(s[0].rows).toBe(200);
  });

  it('accepts the key in the query string (pages that cannot set headers)', async () => {
    const bytes = makePayload(core, { deviceId: 'device-0002', uploadId: 'upload-query-key', windowStart: window, rows: makeRows(2, 10) });
    const r = await post(`${ingestUrl}?key=${c.keys.ingest}`, undefined, bytes);
    expect(r.status).toBe(200);
    expect(await stored('upload-query-key')).toHaveLength(1);
  });

  it('refuses bad requests with a one-line reason and stores nothing', async () => {
    const before = (await stored()).length;
    const valid = (over: Partial<Parameters<typeof makePayload>[1]>) =>
      makePayload(core, { deviceId: 'device-0003', uploadId: 'upload-bad-' + Math.random().toString(36).slice(2), windowStart: window, rows: makeRows(3, 20), ...over });
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
      ['no key', post(ingestUrl, undefined, valid({})), 401, 'auth'],
      ['wrong key', post(ingestUrl, 'ewi_not-a-key', valid({})), 401, 'auth'],
      ['read key', post(ingestUrl, c.keys.read, valid({})), 403, 'auth'],
      ['garbage', post(ingestUrl, c.keys.ingest, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), 400, 'decode'],
      ['empty', post(ingestUrl, c.keys.ingest, new Uint8Array(0)), 400, 'decode'],
      ['truncated', post(ingestUrl, c.keys.ingest, valid({}).slice(0, 40)), 400, 'decode'],
      ['oversize', post(ingestUrl, c.keys.ingest, new Uint8Array(65 * 1024)), 413, 'too_large'],
      ['json body', post(ingestUrl, c.keys.ingest, new TextEncoder().encode('{}'), { 'content-type': 'application/json' }), 415, 'content_type'],
      ['future window', post(ingestUrl, c.keys.ingest, valid({ windowStart: now + 3_600_000 })), 422, 'window'],
      ['ancient window', post(ingestUrl, c.keys.ingest, valid({ windowStart: now - 30 * 86_400_000 })), 422, 'window'],
      ['inverted window', post(ingestUrl, c.keys.ingest, valid({ windowEnd: window - 1 })), 422, 'window'],
      ['no device', post(ingestUrl, c.keys.ingest, valid({ deviceId: '' })), 422, 'header'],
      ['bad segment', post(ingestUrl, c.keys.ingest, valid({ meta: { segment: '[1,2]' } })), 422, 'header'],
      ['NaN window', post(ingestUrl, c.keys.ingest, valid({ meta: { windowStart: 'NaN' } })), 422, 'header'],
      ['huge window', post(ingestUrl, c.keys.ingest, valid({ meta: { windowStart: '1e300' } })), 422, 'header'],
    ];
    for (const [name, pending, status, reason] of cases) {
      const r = await pending;
      expect({ name, status: r.status, reason: r.body.reason }).toEqual({ name, status, reason });
      expect(typeof r.body.error).toBe('string');
      expect(String(r.body.error)).not.toContain('\n');
    }
    expect((await stored()).length).toBe(before);
  });

  it('keeps each column of a model version the kind it was first registered with, and adds new columns', async () => {
    const first = makePayload(core, { model: 'schema-m', deviceId: 'device-0004', uploadId: 'upload-schema-1', windowStart: window, rows: makeRows(4, 30) });
    expect((await post(ingestUrl, c.keys.ingest, first)).status).toBe(200);
    const kindChanged = makePayload(core, {
      model: 'schema-m',
      deviceId: 'device-0004',
      uploadId: 'upload-schema-2',
      windowStart: window,
      columns: [{ name: 'plan', kind: 'numeric' }],
      rows: [{ age: 1, income: 2, plan: 3 as unknown as string }],
    });
    expect(await post(ingestUrl, c.keys.ingest, kindChanged)).toMatchObject({ status: 422, body: { reason: 'schema' } });
    // A column the version has not seen (an output a baseline of training data lacks) joins it.
    const newColumn = makePayload(core, {
      model: 'schema-m',
      deviceId: 'device-0004',
      uploadId: 'upload-schema-3',
      windowStart: window,
      columns: [{ name: 'zip', kind: 'categorical' }],
      rows: [{ zip: '98101' } as unknown as Row],
    });
    expect((await post(ingestUrl, c.keys.ingest, newColumn)).status).toBe(200);
    const zipAsNumber = makePayload(core, {
      model: 'schema-m',
      deviceId: 'device-0004',
      uploadId: 'upload-schema-5',
      windowStart: window,
      columns: [{ name: 'zip', kind: 'numeric' }],
      rows: [{ zip: 98101 } as unknown as Row],
    });
    expect(await post(ingestUrl, c.keys.ingest, zipAsNumber)).toMatchObject({ status: 422, body: { reason: 'schema' } });
    const registered = await c.collector.context.db.query<{ columns: Record<string, string> }>("select columns from models where model = 'schema-m'");
    expect(registered[0].columns).toEqual({ age: 'numeric', income: 'numeric', plan: 'categorical', zip: 'categorical' });
    // Fewer columns than registered is fine (a device may not record every output).
    const subset = makePayload(core, {
      model: 'schema-m',
      deviceId: 'device-0004',
      uploadId: 'upload-schema-4',
      windowStart: window,
      columns: [{ name: 'age', kind: 'numeric' }],
      rows: makeRows(5, 5),
    });
    expect((await post(ingestUrl, c.keys.ingest, subset)).status).toBe(200);
    expect((await stored()).map((r) => r.upload_id)).toEqual(expect.arrayContaining(['upload-schema-1', 'upload-schema-3', 'upload-schema-4']));
    expect((await stored()).map((r) => r.upload_id)).not.toContain('upload-schema-2');
    expect((await stored()).map((r) => r.upload_id)).not.toContain('upload-schema-5');
  });

  it('counts accepted, duplicate and refused uploads in /metrics', async () => {
    const m = await get(`${c.url}/metrics`, undefined);
    expect(m.status).toBe(200);
    const accepted = (await stored()).length;
    expect(m.body).toContain(`edgewatch_ingest_uploads_total{result="accepted"} ${accepted}`);
    expect(m.body).toMatch(/edgewatch_ingest_uploads_total\{result="duplicate"\} [1-9]/);
    expect(m.body).toContain('edgewatch_ingest_rejects_total{reason="decode"} 3');
    expect(m.body).toContain('edgewatch_ingest_rejects_total{reason="too_large"} 1');
    expect(m.body).toMatch(/edgewatch_db_query_duration_seconds_count [1-9]/);
  });
});

describe('ingest options', () => {
  let core: Core;
  beforeAll(async () => {
    core = await sharedCore();
  });

  it('refuses unknown models when auto-register is off, and foreign origins for a restricted key', async () => {
    const c = await startCollector(BACKENDS[0], { autoRegister: false });
    try {
      const now = Date.now();
      const bytes = makePayload(core, { deviceId: 'device-0005', uploadId: 'upload-unknown', windowStart: now - 2 * MIN, rows: makeRows(6, 10) });
      expect(await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).toMatchObject({ status: 422, body: { reason: 'unknown_model' } });
      const { createKey } = await import('../../src/collector/keys.ts');
      const site = await createKey(c.collector.context.db, { project: 'alpha', kind: 'ingest', origins: ['https://shop.example'] });
      const r = await post(`${c.url}/v1/ingest`, site.key, bytes, { origin: 'https://evil.example' });
      expect(r).toMatchObject({ status: 403, body: { reason: 'origin' } });
      expect(await c.collector.context.db.query('select 1 from uploads')).toHaveLength(0);
    } finally {
      await c.stop();
    }
  });

  it('rate-limits uploads per ingest key', async () => {
    const c = await startCollector(BACKENDS[0], { rateLimitPerKey: 2 });
    try {
      const now = Date.now();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const bytes = makePayload(core, { deviceId: `device-key-${i}`, uploadId: `upload-key-rate-${i}`, windowStart: now - 3 * MIN, rows: makeRows(i, 5) });
        const r = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
        statuses.push(r.status);
        if (r.status === 429) expect(r.body.reason).toBe('rate_limit');
      }
      // As per device: at most two per fixed minute, so some of six are refused.
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
      expect(statuses).toContain(429);
      const stored = await c.collector.context.db.query('select 1 from uploads');
      expect(stored).toHaveLength(statuses.filter((s) => s === 200).length);
    } finally {
      await c.stop();
    }
  });

  it('rate-limits uploads per device with Retry-After', async () => {
    const c = await startCollector(BACKENDS[0], { rateLimitPerDevice: 2 });
    try {
      const now = Date.now();
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 6; i++) {
        const bytes = makePayload(core, { deviceId: 'device-0006', uploadId: `upload-rate-${i}`, windowStart: now - 3 * MIN, rows: makeRows(i, 5) });
        const r = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get('retry-after');
      }
      // Fixed one-minute windows: even if the six requests straddle a boundary, each window admits
      // at most two, so some are refused.
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await c.stop();
    }
  });
});
