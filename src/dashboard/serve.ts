// Serves the built dashboard from a fastify app (the collector's, for `edgewatch serve`): static
// files under a prefix (default /dashboard/), built on first use when no build exists yet. The
// page reads the API of the origin that served it unless told otherwise.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildDashboard, DEFAULT_DASHBOARD_DIR } from './build.ts';

export interface DashboardOptions {
  /** URL path the dashboard lives under. Default '/dashboard'. */
  prefix?: string;
  /** Folder of a production build. Default dist/dashboard in this package. */
  dir?: string;
  /** Build into `dir` when it holds no build. Default true. */
  buildIfMissing?: boolean;
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
  if (!existsSync(join(dir, 'index.html'))) {
    if (options.buildIfMissing === false) throw new Error(`no dashboard build in ${dir}: run "npm run build:dashboard"`);
    await buildDashboard(dir);
  }

  app.get(prefix, { schema: { hide: true } }, (_req, reply) => reply.redirect(`${prefix}/`));
  app.get<{ Params: { '*': string } }>(`${prefix}/*`, { schema: { hide: true } }, async (req, reply) => {
    const wanted = req.params['*'] || 'index.html';
    const file = resolve(dir, wanted);
    // Nothing outside the build folder, whatever the path says.
    if (relative(dir, file).startsWith('..') || !(file === dir || file.startsWith(dir + sep))) return reply.code(404).send({ error: 'not found', reason: 'not_found' });
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return reply.code(404).send({ error: `no dashboard file ${wanted}`, reason: 'not_found' });
    const hashed = wanted.startsWith('assets/');
    return reply
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      // Bundled assets carry a content hash in their names; index.html must be fetched anew.
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(await readFile(file));
  });
}
