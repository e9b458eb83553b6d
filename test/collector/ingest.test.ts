// POST /v1/ingest over real HTTP on both storage back-ends: what is accepted, what is refused
// and why, and that a refusal stores nothing and loses nothing stored before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows } from './helpers/payloads.ts';
import type { ColumnSpec } from 'edgewatch';
import { wireProfile, zeros } from '../helpers/wire.ts';

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
      makePayload(core, {
        deviceId: 'device-0003',
        uploadId: 'upload-bad-' + Math.random().toString(36).slice(2),
        windowStart: window,
        rows: makeRows(3, 20),
        ...over,
      });
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
      ['no key', post(ingestUrl, undefined, valid({})), 401, 'auth'],
      ['wrong key', post(ingestUrl, 'ewi_not-a-key', valid({})), 401, 'auth'],
      ['read key', post(ingestUrl, c.keys.read, valid({})), 403, 'auth'],
      ['garbage', post(ingestUrl, c.keys.ingest, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), 400, 'decode'],
      ['empty', post(ingestUrl, c.keys.ingest, new Uint8Array(0)), 400, 'decode'],
      ['truncated', post(ingestUrl, c.keys.ingest, valid({}).slice(0, 40)), 400, 'decode'],
      ['oversize', post(ingestUrl, c.keys.ingest, new Uint8Array(65 * 1024)), 413, 'too_large'],
      [
        'json body',
        post(ingestUrl, c.keys.ingest, new TextEncoder().encode('{}'), { 'content-type': 'application/json' }),
        415,
        'content_type',
      ],
      ['future window', post(ingestUrl, c.keys.ingest, valid({ windowStart: now + 3_600_000 })), 422, 'clock'],
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

  it("enforces the kinds a baseline sets, takes columns it lacks; the first upload's columns are only provisional", async () => {
    const upload = (id: string, columns?: ColumnSpec[], rows = makeRows(4, 30)) =>
      post(
        ingestUrl,
        c.keys.ingest,
        makePayload(core, {
          model: 'schema-m',
          version: '2.0.0',
          deviceId: 'device-0004',
          uploadId: id,
          windowStart: window,
          columns,
          rows,
        }),
      );
    // Whoever holds the ingest key uploads first, with `age` categorical…
    const squat: ColumnSpec[] = [{ name: 'age', kind: 'categorical' }];
    const squatRows = [{ age: 'old', income: 0, plan: 'x' }] as unknown as ReturnType<typeof makeRows>;
    expect((await upload('upload-squat-1', squat, squatRows)).status).toBe(200);
    // …and the real uploads are not locked out.
    expect((await upload('upload-schema-1')).status).toBe(200);
    const kindChanged: ColumnSpec[] = [{ name: 'plan', kind: 'numeric' }];
    const kindRows = [{ age: 1, income: 2, plan: 3 as unknown as string }];
    expect((await upload('upload-schema-2', kindChanged, kindRows)).status).toBe(200);
    // The baseline sets the schema; from then on it is enforced.
    const baseline = profileOfRows(core, makeRows(9, 500));
    const put = await fetch(`${c.url}/v1/models/schema-m/versions/2.0.0/baseline`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/octet-stream' },
      body: baseline.toBytes() as BodyInit,
    });
    baseline.dispose();
    expect(put.status).toBe(200);
    expect(await upload('upload-squat-2', squat, squatRows)).toMatchObject({ status: 422, body: { reason: 'schema' } });
    expect(await upload('upload-schema-3', kindChanged, kindRows)).toMatchObject({ status: 422, body: { reason: 'schema' } });
    // A column the baseline lacks (an output, when the baseline is training data) joins the
    // version with its kind, enforced from then on.
    const zipRows = [{ zip: '98101' }] as unknown as ReturnType<typeof makeRows>;
    expect((await upload('upload-schema-4', [{ name: 'zip', kind: 'categorical' }], zipRows)).status).toBe(200);
    expect(await upload('upload-schema-7', [{ name: 'zip', kind: 'numeric' }], [])).toMatchObject({
      status: 422,
      body: { reason: 'schema' },
    });
    // Names that are also properties of plain objects are names like any other.
    expect((await upload('upload-schema-5', [{ name: 'constructor', kind: 'numeric' }], [])).status).toBe(200);
    expect(await upload('upload-schema-8', [{ name: 'constructor', kind: 'categorical' }], [])).toMatchObject({
      status: 422,
      body: { reason: 'schema' },
    });
    const [registered] = await c.collector.context.db.query<{ columns: Record<string, string> }>(
      "select columns from models where model = 'schema-m'",
    );
    expect(registered.columns).toEqual({
      age: 'numeric',
      income: 'numeric',
      plan: 'categorical',
      zip: 'categorical',
      constructor: 'numeric',
    });
    // Fewer columns than the baseline is fine (a device may not record every output).
    expect((await upload('upload-schema-6', [{ name: 'age', kind: 'numeric' }], makeRows(5, 5))).status).toBe(200);
    const ids = (await stored()).map((r) => r.upload_id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'upload-squat-1',
        'upload-schema-1',
        'upload-schema-2',
        'upload-schema-4',
        'upload-schema-5',
        'upload-schema-6',
      ]),
    );
    for (const refused of ['upload-squat-2', 'upload-schema-3', 'upload-schema-7', 'upload-schema-8']) expect(ids).not.toContain(refused);
  });

  it('keeps a segment key "__proto__" like any other key', async () => {
    const bytes = makePayload(core, {
      model: 'proto-m',
      deviceId: 'device-0007',
      uploadId: 'upload-proto-1',
      windowStart: window,
      rows: makeRows(7, 5),
      meta: { segment: '{"__proto__":"eu","constructor":"x"}' },
    });
    expect((await post(ingestUrl, c.keys.ingest, bytes)).status).toBe(200);
    const [row] = await c.collector.context.db.query<{ segment: Record<string, string> }>(
      `select segment from uploads where upload_id = 'upload-proto-1'`,
    );
    expect(Object.entries(row.segment).sort()).toEqual([
      ['__proto__', 'eu'],
      ['constructor', 'x'],
    ]);
  });

  it('limits the model versions a project registers by uploading', async () => {
    const limited = await startCollector(BACKENDS[0], { maxVersionsPerProject: 3 });
    try {
      const upload = (version: string, id: string) =>
        post(
          `${limited.url}/v1/ingest`,
          limited.keys.ingest,
          makePayload(core, { version, deviceId: 'device-0005', uploadId: id, windowStart: window, rows: makeRows(6, 5) }),
        );
      for (const v of ['1', '2', '3']) expect((await upload(v, `upload-v${v}-a`)).status).toBe(200);
      const over = await upload('4', 'upload-v4-a');
      expect(over).toMatchObject({ status: 422, body: { reason: 'version_limit' } });
      expect(String(over.body.error)).toMatch(/3 registered model versions/);
      // Versions already registered keep taking uploads.
      expect((await upload('2', 'upload-v2-b')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('counts the windows devices report dropped, once per upload, and refuses a bad count', async () => {
    const before = await get(`${c.url}/metrics`, undefined);
    const count = (text: string) => Number(/^edgewatch_device_dropped_windows_total (\d+)/m.exec(text)?.[1] ?? NaN);
    const dropped = (id: string, n: string) =>
      makePayload(core, { deviceId: 'device-0009', uploadId: id, windowStart: window, rows: makeRows(3, 40), meta: { dropped: n } });
    expect((await post(ingestUrl, c.keys.ingest, dropped('upload-dropped-1', '3'))).status).toBe(200);
    expect((await post(ingestUrl, c.keys.ingest, dropped('upload-dropped-1', '3'))).body).toMatchObject({ duplicate: true });
    expect(await post(ingestUrl, c.keys.ingest, dropped('upload-dropped-2', 'many'))).toMatchObject({
      status: 422,
      body: { reason: 'header' },
    });
    const after = await get(`${c.url}/metrics`, undefined);
    expect(count(String(after.body)) - count(String(before.body))).toBe(3);
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
      const bytes = makePayload(core, {
        deviceId: 'device-0005',
        uploadId: 'upload-unknown',
        windowStart: now - 2 * MIN,
        rows: makeRows(6, 10),
      });
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
        const bytes = makePayload(core, {
          deviceId: `device-key-${i}`,
          uploadId: `upload-key-rate-${i}`,
          windowStart: now - 3 * MIN,
          rows: makeRows(i, 5),
        });
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
        const bytes = makePayload(core, {
          deviceId: 'device-0006',
          uploadId: `upload-rate-${i}`,
          windowStart: now - 3 * MIN,
          rows: makeRows(i, 5),
        });
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

  it('junk sent with a key does not spend the budget of its valid devices', async () => {
    // Client addresses come from X-Forwarded-For here, as behind a proxy.
    const c = await startCollector(BACKENDS[0], { rateLimitPerKey: 10, rateLimitRefusedPerAddress: 30, trustProxy: true });
    try {
      const from = (address: string) => ({ 'x-forwarded-for': address });
      const junk = [];
      for (let i = 0; i < 40; i++)
        junk.push((await post(`${c.url}/v1/ingest`, c.keys.ingest, Uint8Array.from([1, 2, 3]), from('10.0.0.1'))).status);
      // The address that sent the junk is cut off after its refusals…
      expect(junk.filter((s) => s === 400).length).toBeGreaterThanOrEqual(30);
      expect(junk).toContain(429);
      // …while devices elsewhere still have the key's whole budget (a fixed window may have
      // reset during the run, which only gives more).
      const statuses: number[] = [];
      for (let d = 0; d < 10; d++) {
        const bytes = makePayload(core, {
          deviceId: `device-legit-${d}`,
          uploadId: `upload-legit-${d}`,
          windowStart: Date.now() - 3 * MIN,
          rows: makeRows(d, 5),
        });
        statuses.push((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes, from(`10.0.1.${d}`))).status);
      }
      expect(statuses).toEqual(Array(10).fill(200));
    } finally {
      await c.stop();
    }
  });

  it('limits the device ids a client address introduces per minute', async () => {
    const c = await startCollector(BACKENDS[0], { rateLimitNewDevicesPerAddress: 20 });
    try {
      const statuses: number[] = [];
      for (let d = 0; d < 60; d++) {
        const bytes = makePayload(core, {
          deviceId: `device-made-up-${d}`,
          uploadId: `upload-made-up-${d}`,
          windowStart: Date.now() - 3 * MIN,
          rows: makeRows(d, 2),
        });
        statuses.push((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status);
      }
      // A fixed window may reset once during the run: at most two windows' worth get through.
      const admitted = statuses.filter((s) => s === 200).length;
      expect(admitted).toBeGreaterThanOrEqual(20);
      expect(admitted).toBeLessThanOrEqual(40);
      expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
      // A device already seen is never counted again.
      const again = makePayload(core, {
        deviceId: 'device-made-up-0',
        uploadId: 'upload-made-up-again',
        windowStart: Date.now() - 3 * MIN,
        rows: makeRows(1, 2),
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, again)).status).toBe(200);
    } finally {
      await c.stop();
    }
  });

  it('refuses uploads wider than --max-columns, and nothing is stored', async () => {
    const c = await startCollector(BACKENDS[0], { maxColumns: 100 });
    const window = Date.now() - 5 * MIN;
    try {
      const wide = (n: number, id: string) =>
        wireProfile(
          Array.from({ length: n }, (_, i) => zeros(`f${i}`, 3)),
          {
            model: 'wide',
            modelVersion: '1',
            windowStart: String(window),
            windowEnd: String(window + MIN),
            deviceId: 'device-wide',
            uploadId: id,
          },
        );
      const r = await post(`${c.url}/v1/ingest`, c.keys.ingest, wide(101, 'upload-wide-1'));
      expect(r).toMatchObject({ status: 413, body: { reason: 'too_wide', permanent: true } });
      expect(String(r.body.error)).toMatch(/101 columns, at most 100/);
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, wide(100, 'upload-wide-2'))).status).toBe(200);
      const ids = await c.collector.context.db.query<{ upload_id: string }>('select upload_id from uploads');
      expect(ids.map((x) => x.upload_id)).toEqual(['upload-wide-2']);
    } finally {
      await c.stop();
    }
  });
});
