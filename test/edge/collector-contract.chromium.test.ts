// The edge runtime against the real collector (PGlite in memory): what a monitor in Chromium
// uploads — header, payload, auth, CORS — is accepted and stored.
import type { Browser } from 'playwright';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.ts';
import { createKey } from '../../src/collector/keys.ts';
import { launchChromium, startHarness } from './harness/serve.ts';

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
