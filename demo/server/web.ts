// The demo page, served next to the collector on one origin: vite (in middleware mode) bundles
// the page and the edge runtime's worker on the fly, so the TypeScript sources are served as they
// are in the repository and nothing is fetched from a CDN (onnxruntime-web's wasm files come from
// node_modules through vite).
//   /                 the demo page (demo/web/index.html)
//   /demo-config.json what the page needs: keys, model, collector, window
// The collector's own routes (/v1/…, /metrics, /healthz) and the dashboard (/dashboard/, a
// production build served by the collector's app) are answered by fastify before this runs.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * `server` is the collector's HTTP server: vite's client connects its websocket there (the page
 * would otherwise report a failed connection). Files are not watched: the demo is not edited live.
 * `cacheDir` holds vite's pre-bundled dependencies.
 */
export async function createWebServer(server: Server, cacheDir: string): Promise<ViteDevServer> {
  return createViteServer({
    root: ROOT,
    // Its own dependency cache: vite servers of tests running at the same time would otherwise
    // rewrite node_modules/.vite under this one's pages ("Outdated Optimize Dep").
    cacheDir,
    configFile: false,
    logLevel: 'error',
    appType: 'mpa',
    server: { middlewareMode: true, hmr: { server }, watch: null },
    // Pre-bundled before the first page asks, so no page reloads while it runs.
    optimizeDeps: {
      entries: ['demo/web/index.html', 'demo/web/device-worker.ts', 'src/edge/worker.ts'],
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

export function handleWeb(vite: ViteDevServer, config: () => unknown) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url.split('?')[0] === '/demo-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(config()));
      return;
    }
    req.url = rewrite(url);
    vite.middlewares(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${url}\n`);
    });
  };
}
