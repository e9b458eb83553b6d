// Serves the prebuilt dashboard from the collector's app (for `edgewatch serve`): static files
// under a prefix (default /dashboard/). The dashboard is built when the package is packed (in the
// repository by `npm run build:dashboard`), so serving never needs its sources or a bundler. The
// page reads the API of the origin that served it unless told otherwise.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The package's prebuilt dashboard: dist/dashboard beside dist/collector (src/ in the repository). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../../dist/dashboard', import.meta.url));

export interface DashboardOptions {
  /** URL path the dashboard lives under. Default '/dashboard'. */
  prefix?: string;
  /** Folder of a production build. Default the package's own. */
  dir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

export async function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const prefix = `/${(options.prefix ?? '/dashboard').replace(/^\/+|\/+$/g, '')}`;
  const dir = resolve(options.dir ?? DEFAULT_DASHBOARD_DIR);
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`no dashboard build in ${dir} (in the repository: npm run build:dashboard)`);

  app.get(prefix, { schema: { hide: true } }, (_req, reply) => reply.redirect(`${prefix}/`));
  app.get<{ Params: { '*': string } }>(`${prefix}/*`, { schema: { hide: true } }, async (req, reply) => {
    const wanted = req.params['*'] || 'index.html';
    const file = resolve(dir, wanted);
    // Nothing outside the build folder, whatever the path says.
    if (relative(dir, file).startsWith('..') || !(file === dir || file.startsWith(dir + sep)))
      return reply.code(404).send({ error: 'not found', reason: 'not_found' });
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return reply.code(404).send({ error: `no dashboard file ${wanted}`, reason: 'not_found' });
    const hashed = wanted.startsWith('assets/');
    return (
      reply
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        // Bundled assets carry a content hash in their names; index.html must be fetched anew.
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(await readFile(file))
    );
  });
}
