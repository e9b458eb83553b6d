// Uploads from a real Chromium (Playwright, the system's browser) to a real local HTTP endpoint:
// retries with backoff and Retry-After, idempotent retries after a lost acknowledgement, pausing
// while offline, two tabs sharing one outbox, keepalive on pagehide, the private-mode grid fetch.
import type { Browser, BrowserContext, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { ViteDevServer } from 'vite';
import { launchChromium, startCollector, startHarness } from './harness/serve.ts';
import { loadCore } from '../../src/core/index.ts';
import { waitFor } from './helpers.ts';

/** One window for the whole test: a wall-clock window boundary cannot split what it records. */
const ONE_WINDOW = 8192 * 86_400_000; // whole days, as the private mode needs: 2014–2037

let vite: ViteDevServer;
let pageUrl: string;
let browser: Browser;
let context: BrowserContext;
let collector: Awaited<ReturnType<typeof startCollector>>;

beforeAll(async () => {
  const h = await startHarness({ name: 'upload' });
  vite = h.vite;
  pageUrl = h.url;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await vite?.close();
});
beforeEach(async () => {
  context = await browser.newContext();
});
afterEach(async () => {
  await context?.close();
  await collector?.close();
});

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(pageUrl);
  await page.waitForFunction(() => (window as unknown as { edgeReady?: boolean }).edgeReady === true, null, { timeout: 60_000 });
  return page;
}

type Edge = {
  edge: {
    createMonitor: typeof import('../../src/edge/index.ts').createMonitor;
    model(): Uint8Array;
    featureRows(n: number, seed?: number): Float32Array;
    monitors: Record<string, import('../../src/edge/index.ts').Monitor>;
  };
};

/** Creates a monitor in the page under `key`, with the fixture model. */
async function monitorIn(page: Page, key: string, options: Record<string, unknown>): Promise<void> {
  await page.evaluate(
    async ({ key, options, ONE_WINDOW }) => {
      const { edge } = window as unknown as Edge;
      edge.monitors[key] = await edge.createMonitor({
        model: edge.model(),
        modelVersion: '1',
        window: ONE_WINDOW,
        // These windows hold a handful of rows and must leave as they are.
        privacy: { mode: 'off', minRowsPerWindow: 1 },
        ...(options as { modelId: string }),
      });
    },
    { key, options, ONE_WINDOW },
  );
}

async function predict(page: Page, key: string, rows: number, seed: number): Promise<void> {
  await page.evaluate(
    async ({ key, rows, seed }) => {
      const { edge } = window as unknown as Edge;
      await edge.monitors[key].predict({ input: { type: 'float32', data: edge.featureRows(rows, seed), dims: [rows, 4] } });
    },
    { key, rows, seed },
  );
}

const outboxSize = (page: Page, key: string) =>
  page.evaluate(async (key) => (await (window as unknown as Edge).edge.monitors[key].outbox()).length, key);
const flush = (page: Page, key: string) => page.evaluate((key) => (window as unknown as Edge).edge.monitors[key].flush(), key);

const modelId = () => `up-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

describe('upload', () => {
  test('a window is POSTed with its header and leaves the outbox only after a 2xx, retrying through 503/500', async () => {
    collector = await startCollector();
    collector.script.push({ status: 503, retryAfter: '1' }, { status: 500 });
    const page = await openPage();
    const id = modelId();
    await monitorIn(page, 'm', {
      modelId: id,
      collector: collector.url,
      apiKey: 'ingest_test',
      upload: { baseDelayMs: 100 },
      segment: { region: 'eu' },
    });
    await predict(page, 'm', 9, 1);
    await flush(page, 'm');
    expect(await outboxSize(page, 'm')).toBe(1); // the first answer was a 503
    await waitFor(() => collector.received.length >= 3 && collector.received[2].status === 200, 'the third attempt');
    await waitFor(async () => (await outboxSize(page, 'm')) === 0, 'the outbox to empty');
    const [first, second, third] = collector.received;
    expect(first.uploadId).toBe(second.uploadId);
    expect(third.uploadId).toBe(first.uploadId);
    expect(Buffer.from(third.bytes).equals(Buffer.from(first.bytes))).toBe(true); // a retry is the same upload
    expect(third.authorization).toBe('Bearer ingest_test');
    expect(third.contentType).toBe('application/octet-stream');
    expect(third.meta).toMatchObject({ model: id, modelVersion: '1', segment: '{"region":"eu"}', dropped: '0' });
    expect(collector.stored.size).toBe(1); // the lost acknowledgements did not double it
    expect(collector.received).toHaveLength(3);
  });

  test('nothing is sent while offline; coming back online uploads at once', async () => {
    collector = await startCollector();
    const page = await openPage();
    await monitorIn(page, 'm', { modelId: modelId(), collector: collector.url });
    await context.setOffline(true);
    await predict(page, 'm', 4, 2);
    await flush(page, 'm');
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(collector.received).toHaveLength(0);
    expect(await outboxSize(page, 'm')).toBe(1);
    expect((await page.evaluate(() => (window as unknown as Edge).edge.monitors.m.status())).online).toBe(false);
    await context.setOffline(false);
    await waitFor(() => collector.received.length === 1, 'the upload after going online');
    await waitFor(async () => (await outboxSize(page, 'm')) === 0, 'the outbox to empty');
  });

  test('two tabs share one outbox and each window is uploaded once', async () => {
    collector = await startCollector();
    const id = modelId();
    const a = await openPage();
    const b = await openPage();
    await monitorIn(a, 'm', { modelId: id, collector: collector.url });
    await monitorIn(b, 'm', { modelId: id, collector: collector.url });
    await Promise.all([predict(a, 'm', 3, 3), predict(b, 'm', 5, 4)]);
    await Promise.all([flush(a, 'm'), flush(b, 'm')]);
    await waitFor(() => collector.stored.size === 2, 'both windows');
    await waitFor(async () => (await outboxSize(a, 'm')) === 0, 'the shared outbox to empty');
    const ids = collector.received.map((r) => r.uploadId);
    expect(new Set(ids).size).toBe(ids.length); // no window was sent twice
    expect(new Set(collector.received.map((r) => r.meta.deviceId)).size).toBe(1); // one device, two tabs
  });

  test('on pagehide the waiting windows are sent with keepalive', async () => {
    collector = await startCollector();
    collector.script.push({ status: 503, retryAfter: '3600' }); // the regular upload is told to wait an hour
    const page = await openPage();
    await monitorIn(page, 'm', { modelId: modelId(), collector: collector.url });
    await predict(page, 'm', 6, 5);
    await flush(page, 'm');
    await waitFor(() => collector.received.length === 1, 'the first attempt');
    await page.close({ runBeforeUnload: true });
    await waitFor(() => collector.received.length === 2, 'the keepalive upload');
    expect(collector.received[1].status).toBe(200);
    expect(collector.received[1].uploadId).toBe(collector.received[0].uploadId);
  });
});

describe('private-mode grid', () => {
  test('is fetched from the collector once and then read from the cache', async () => {
    const edges = Array.from({ length: 17 }, (_, i) => i * 5);
    collector = await startCollector({ grid: { columns: { age: { edges } } } });
    const page = await openPage();
    const id = modelId();
    const options = {
      modelId: id,
      features: ['age', 'usage', 'tickets', 'trend'],
      collector: collector.url,
      privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 100, dailyEpsilon: 8 },
    };
    await monitorIn(page, 'a', options);
    await predict(page, 'a', 10, 6);
    await flush(page, 'a');
    await waitFor(() => collector.received.length === 1, 'the upload');
    expect(JSON.parse(collector.received[0].meta.privacy)).toMatchObject({ mode: 'dp', epsilon: 1 });
    const core = await loadCore();
    const p = core.profileFromBytes(collector.received[0].bytes);
    expect(p.summary('age')).toMatchObject({ kind: 'grid', edges }); // the collector's grid
    expect(p.columnNames).not.toContain('usage'); // no grid for it: not recorded in the private mode
    p.dispose();
    expect(collector.gridRequests).toEqual([`/v1/grid/${id}/1`]);
    await page.evaluate(() => (window as unknown as Edge).edge.monitors.a.close());
    await monitorIn(page, 'b', options);
    expect(collector.gridRequests).toHaveLength(1);
  });
});
