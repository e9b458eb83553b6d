// The edge runtime against the real collector (PGlite in memory): what a monitor in Chromium
// uploads — header, payload, auth, CORS — is accepted and stored; in the secure mode, by a leader
// and helper pair that then releases it.
import type { Browser } from 'playwright';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.ts';
import { createKey } from '../../src/collector/keys.ts';
import { launchChromium, startHarness } from './harness/serve.ts';
import { loadCore } from '../../src/core/index.ts';
import { featureRows } from './helpers.ts';

let vite: ViteDevServer;
let pageUrl: string;
let browser: Browser;
let collector: Collector;
let collectorUrl: string;
let ingestKey: string;

beforeAll(async () => {
  collector = await createCollector({ dataDir: 'memory://', keyCacheMs: 0, rateLimitPerDevice: 0, alertIntervalMs: 0 });
  collectorUrl = await collector.app.listen({ host: '127.0.0.1', port: 0 });
  ingestKey = (await createKey(collector.context.db, { project: 'edge', kind: 'ingest' })).key;
  const h = await startHarness({ name: 'contract' });
  vite = h.vite;
  pageUrl = h.url;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await collector?.close();
});

test('a window uploaded from Chromium is acknowledged and stored once by the collector', async () => {
  const page = await browser.newPage();
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
  await page.goto(pageUrl);
  await page.waitForFunction(() => (window as unknown as { edgeReady?: boolean }).edgeReady === true, null, { timeout: 60_000 });
  const modelId = `contract${Date.now().toString(36)}`;
  const waiting = await page.evaluate(
    async ({ modelId, collectorUrl, ingestKey }) => {
      const { edge } = window as unknown as {
        edge: {
          createMonitor: typeof import('../../src/edge/index.ts').createMonitor;
          model(): Uint8Array;
          featureRows(n: number, s?: number): Float32Array;
        };
      };
      const m = await edge.createMonitor({
        model: edge.model(),
        modelId,
        modelVersion: '1.0.0',
        collector: collectorUrl,
        apiKey: ingestKey,
        segment: { region: 'eu' },
      });
      await m.predict({ input: { type: 'float32', data: edge.featureRows(25, 1), dims: [25, 4] } });
      await m.flush();
      const left = (await m.outbox()).length;
      await m.close();
      return left;
    },
    { modelId, collectorUrl, ingestKey },
  );
  expect(warnings.filter((w) => w.includes('edgewatch'))).toEqual([]); // e.g. no rejected window
  expect(waiting).toBe(0); // acknowledged with a 2xx
  // Usually one window; two if the minute turned between the prediction and the flush.
  const [stored] = await collector.context.db.query<{ n: number; rows: number; segment: unknown }>(
    'select count(*)::int as n, sum(rows)::int as rows, min(segment::text) as segment from uploads where model = $1',
    [modelId],
  );
  expect(stored.n).toBeGreaterThanOrEqual(1);
  expect(stored.rows).toBe(25);
  expect(JSON.parse(String(stored.segment))).toEqual({ region: 'eu' });
  await page.close();
});

test('a secure-mode window from Chromium reaches both aggregators as shares and is released', async () => {
  const core = await loadCore();
  const token = 'contract-peer-token-0123456789';
  const pair = { peerToken: token, keyCacheMs: 0, rateLimitPerDevice: 0, alertIntervalMs: 0, kAnonymity: 1 };
  const helper = await createCollector({ ...pair, dataDir: 'memory://', role: 'helper' });
  const helperUrl = await helper.app.listen({ host: '127.0.0.1', port: 0 });
  const leader = await createCollector({ ...pair, dataDir: 'memory://', role: 'leader', helperUrl });
  const leaderUrl = await leader.app.listen({ host: '127.0.0.1', port: 0 });
  const page = await browser.newPage();
  try {
    const db = leader.context.db;
    const keys = {
      ingest: (await createKey(db, { project: 'edge', kind: 'ingest' })).key,
      admin: (await createKey(db, { project: 'edge', kind: 'admin' })).key,
      read: (await createKey(db, { project: 'edge', kind: 'read' })).key,
    };
    const modelId = `secure${Date.now().toString(36)}`;
    // The baseline registers the version and gives the grid the device records on.
    const baseline = core.profile({ columns: [0, 1, 2, 3].map((j) => ({ name: `input.${j}`, kind: 'numeric' as const })) });
    const rows = featureRows(400, 7);
    baseline.recordTable(rows, ['input.0', 'input.1', 'input.2', 'input.3']);
    const put = await fetch(`${leaderUrl}/v1/models/${modelId}/versions/1.0.0/baseline`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/octet-stream' },
      body: baseline.toBytes() as BodyInit,
    });
    expect(put.status).toBe(200);
    baseline.dispose();
    const helperKey = await (await fetch(`${helperUrl}/v1/hpke-config`)).json();
    const warnings: string[] = [];
    page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    await page.goto(pageUrl);
    await page.waitForFunction(() => (window as unknown as { edgeReady?: boolean }).edgeReady === true, null, { timeout: 60_000 });
    const windowMs = 2000;
    const left = await page.evaluate(
      async ({ modelId, leaderUrl, ingestKey, helperKey, windowMs }) => {
        const { edge } = window as unknown as {
          edge: {
            createMonitor: typeof import('../../src/edge/index.ts').createMonitor;
            model(): Uint8Array;
            featureRows(n: number, s?: number): Float32Array;
          };
        };
        const m = await edge.createMonitor({
          model: edge.model(),
          modelId,
          modelVersion: '1.0.0',
          collector: leaderUrl,
          apiKey: ingestKey,
          window: windowMs,
          privacy: { mode: 'secure', epsilon: 1e6, maxRowsPerWindow: 50, dailyEpsilon: 1e12, helperKey },
        });
        await m.predict({ input: { type: 'float32', data: edge.featureRows(25, 1), dims: [25, 4] } });
        await m.flush();
        const n = (await m.outbox()).length;
        await m.close();
        return n;
      },
      { modelId, leaderUrl, ingestKey: keys.ingest, helperKey, windowMs },
    );
    expect(warnings.filter((w) => w.includes('edgewatch'))).toEqual([]);
    expect(left).toBe(0);
    const reports = await db.query<{ n: number; start: number }>(
      'select count(*)::int as n, min(window_start)::float8 as start from secure_reports where model = $1',
      [modelId],
    );
    expect(reports[0].n).toBe(1);
    expect(await helper.context.db.query('select 1 from secure_reports where model = $1', [modelId])).toHaveLength(reports[0].n);
    // Once the window is over an admin closes it and the pair releases it; the read API answers.
    const start = Number(reports[0].start);
    const end = start + windowMs;
    await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now() + 50)));
    const collect = await fetch(`${leaderUrl}/v1/secure/collect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelId, version: '1.0.0', windowStart: start, windowEnd: end }),
    });
    expect(await collect.json()).toEqual({ released: reports[0].n, withheld: 0, failed: 0 });
    const hour = end - (end % 3_600_000);
    const q = new URLSearchParams({ from: String(hour - 3_600_000), to: String(hour + 3_600_000) });
    const profile = await (
      await fetch(`${leaderUrl}/v1/models/${modelId}/versions/1.0.0/profile?${q}`, { headers: { authorization: `Bearer ${keys.read}` } })
    ).json();
    expect(profile.suppressed).toBe(false);
    // ε = 10^6 leaves the noise almost surely zero (scale C·k/ε < 0.001): the 25 rows are all there.
    expect(profile.columns['input.0'].counts.reduce((a: number, b: number) => a + b, 0)).toBe(25);
  } finally {
    await page.close();
    await leader.close();
    await helper.close();
  }
});
