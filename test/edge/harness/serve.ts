// For the Chromium tests run from Node: a Vite dev server for the harness page (the edge runtime
// as a web developer's bundler would serve it), a stub collector on a real local HTTP port, and
// the system's Chromium driven by Playwright.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import { loadCore } from '../../../src/core/index.ts';
import { chromiumArgs } from '../../../vitest.config.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `name` keeps each user's pre-bundled dependencies apart: test files run in parallel, and two
 * dev servers must not write one cache directory at once.
 */
export async function startHarness({
  name,
  isolated = false,
}: {
  name: string;
  isolated?: boolean;
}): Promise<{ url: string; vite: ViteDevServer }> {
  const vite = await createViteServer({
    root,
    configFile: false,
    cacheDir: `node_modules/.vite/edge-harness-${name}`,
    logLevel: 'error',
    // Cross-origin isolation: a 5 µs clock for the benchmark, as an app serving these headers gets.
    server: {
      host: '127.0.0.1',
      port: 0,
      hmr: false,
      watch: null,
      headers: isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {},
    },
    optimizeDeps: {
      entries: ['test/edge/harness/index.html', 'src/edge/default-worker.ts'],
      include: ['onnx-proto', 'comlink', 'idb', 'onnxruntime-web/wasm'],
    },
  });
  await vite.listen();
  const { port } = vite.httpServer!.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/test/edge/harness/index.html`, vite };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs, headless: true });
}

export interface Received {
  uploadId: string;
  bytes: Uint8Array;
  authorization: string | undefined;
  contentType: string | undefined;
  meta: Record<string, string>;
  /** The response this request got. */
  status: number;
}

/**
 * A stand-in collector with the real protocol's edges: POST /v1/ingest (idempotent by upload id),
 * GET /v1/grid/<model>/<version>. `script` lists the statuses the next POSTs get (then 200); a
 * scripted 5xx still stores the payload, as a collector whose acknowledgement was lost would.
 */
export async function startCollector(opts: { grid?: unknown } = {}) {
  const core = await loadCore();
  const received: Received[] = [];
  const stored = new Map<string, Uint8Array>();
  const gridRequests: string[] = [];
  const script: { status: number; retryAfter?: string }[] = [];
  const server = createHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    res.setHeader('access-control-allow-methods', 'GET, POST');
    res.setHeader('access-control-expose-headers', 'retry-after');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method === 'GET' && req.url?.startsWith('/v1/grid/')) {
      gridRequests.push(req.url);
      if (!opts.grid) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(opts.grid));
    }
    if (req.method !== 'POST' || req.url !== '/v1/ingest') return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = new Uint8Array(Buffer.concat(chunks));
    const p = core.profileFromBytes(bytes);
    const meta = p.meta;
    p.dispose();
    const next = script.shift() ?? { status: 200 };
    received.push({
      uploadId: meta.uploadId,
      bytes,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      meta,
      status: next.status,
    });
    if (next.status < 400 || next.status >= 500) {
      if (!stored.has(meta.uploadId)) stored.set(meta.uploadId, bytes); // idempotent by upload id
    }
    res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stored,
    gridRequests,
    script,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
