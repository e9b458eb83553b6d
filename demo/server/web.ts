// The demo page, served next to the collector on one origin: vite (in middleware mode) bundles
// the page and the edge runtime's worker on the fly, so the TypeScript sources are served as they
// are in the repository and nothing is fetched from a CDN (onnxruntime-web's wasm files come from
// node_modules through vite).
//   /                 the demo page (demo/web/index.html)
//   /demo-config.json what the page needs: keys, model, collector, window
// The collector's own routes (/v1/…, /metrics, /healthz) and the dashboard (/dashboard/, a
// production build served by the collector's app) are answered by fastify before this runs.
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * `server` is the collector's HTTP server: vite's client connects its websocket there (the page
 * would otherwise report a failed connection). Files are not watched: the demo is not edited live.
 * `dataDir` is the collector's: never served, whatever the URL (it holds the database and the
 * demo's keys, and by default lies inside the repository).
 */
export async function createWebServer(server: Server, dataDir: string): Promise<ViteDevServer> {
  const data = resolve(dataDir);
  return createViteServer({
    root: ROOT,
    // A dependency cache per data directory: vite servers of tests running at the same time
    // would otherwise rewrite node_modules/.vite under this one's pages ("Outdated Optimize Dep").
    cacheDir: join(ROOT, 'node_modules/.cache/edgewatch-demo', createHash('sha256').update(data).digest('hex').slice(0, 12)),
    configFile: false,
    logLevel: 'error',
    appType: 'mpa',
    server: {
      middlewareMode: true,
      hmr: { server },
      watch: null,
      // Only what the page and the devices load: the demo, the sources, the core's wasm, packages.
      fs: {
        strict: true,
        allow: ['demo', 'src', 'build', 'node_modules'].map((d) => join(ROOT, d)),
        deny: ['.env', '.env.*', '*.{crt,pem}', '**/.git/**', `${data}/**`, data],
      },
    },
    // Pre-bundled before the first page asks, so no page reloads while it runs.
    optimizeDeps: {
      entries: ['demo/web/index.html', 'demo/web/device-worker.ts', 'src/edge/default-worker.ts'],
      include: ['comlink', 'idb', 'onnxruntime-web/wasm'],
    },
  });
}

/** Maps the demo page's public path onto its place in the repository. */
export function rewrite(url: string): string {
  const [path, query = ''] = url.split(/\?(.*)/s, 2);
  const q = query ? `?${query}` : '';
  return path === '/' || path === '/index.html' ? `/demo/web/index.html${q}` : url;
}

/** Serves the page's config and, through vite, the page itself. */
export function handleWeb(vite: ViteDevServer, config: unknown) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url.split('?')[0] === '/demo-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(config));
      return;
    }
    req.url = rewrite(url);
    vite.middlewares(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${url}\n`);
    });
  };
}
