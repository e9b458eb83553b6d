// The browser side of the demo, served next to the collector on one origin: vite (in middleware
// mode) bundles the demo page, the edge runtime's worker and the dashboard on the fly, so the
// TypeScript sources are served as they are in the repository and nothing is fetched from a CDN
// (onnxruntime-web's wasm files come from node_modules through vite).
//   /                 the demo page (demo/web/index.html)
//   /dashboard/…      the dashboard (src/dashboard/index.html), when it exists
//   /demo-config.json what the page needs: keys, model, collector, window
//   /v1/…, /metrics, /healthz: the collector itself (fastify answers those before this runs)
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARD_HTML = 'src/dashboard/index.html';

export const dashboardExists = () => existsSync(ROOT + DASHBOARD_HTML);

/**
 * `server` is the collector's HTTP server: vite's client connects its websocket there (the page
 * would otherwise report a failed connection). Files are not watched: the demo is not edited live.
 * `cacheDir` holds vite's pre-bundled dependencies.
 */
export async function createWebServer(server: Server, cacheDir: string): Promise<ViteDevServer> {
  const entries = ['demo/web/index.html', 'demo/web/device-worker.ts', 'src/edge/worker.ts'];
  if (dashboardExists()) entries.push(DASHBOARD_HTML);
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
      entries,
      include: ['comlink', 'idb', 'onnxruntime-web/wasm', 'lit', 'uplot'],
    },
  });
}

/** Maps the demo's public paths onto repository paths; null: not the web server's business. */
export function rewrite(url: string): string | null {
  const [path, query = ''] = url.split(/\?(.*)/s, 2);
  const q = query ? `?${query}` : '';
  if (path === '/' || path === '/index.html') return `/demo/web/index.html${q}`;
  if (path === '/dashboard') return null; // redirected by the caller
  if (path === '/dashboard/') return `/src/dashboard/index.html${q}`;
  if (path.startsWith('/dashboard/')) return `/src/dashboard/${path.slice('/dashboard/'.length)}${q}`;
  return url;
}

export function handleWeb(vite: ViteDevServer, config: () => unknown) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url.split('?')[0] === '/demo-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(config()));
      return;
    }
    if (url.split('?')[0] === '/dashboard') {
      res.writeHead(302, { location: `/dashboard/${url.slice('/dashboard'.length)}` }).end();
      return;
    }
    if (url.startsWith('/dashboard/') && !dashboardExists()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`The dashboard is not here: ${DASHBOARD_HTML} does not exist in this checkout.\n`);
      return;
    }
    req.url = rewrite(url) ?? url;
    vite.middlewares(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${url}\n`);
    });
  };
}
