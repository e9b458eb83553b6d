// `npm start`: the whole demo on one origin. Starts the collector on PGlite (./.edgewatch),
// creates the demo project and its keys (kept for the next start), sets the model's baseline and
// the default alert rules, serves the demo page and the dashboard, and prints where they are.
// Ctrl-C stops it cleanly. Collector flags and environment variables work as for
// `edgewatch serve` (e.g. `npm start -- --port 9000`); the demo's own settings are below.
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createCollector,
  defaultOptions,
  parseEvalWindows,
  resolveOptions,
  type Collector,
  type CollectorOptions,
} from '../src/collector/index.ts';
import { buildDashboard } from '../src/dashboard/build.ts';
import { registerDashboard } from '../src/collector/http/dashboard.ts';
import { CANARY_VERSION, CLASSES, FEATURES, MODEL_ID, MODEL_VERSION, VERSIONS } from './model/config.ts';
import { installDefaultRules } from './server/alert-rules.ts';
import { buildBaseline, uploadBaseline } from './server/baseline.ts';
import { ensureDemoKeys, type DemoKeys } from './server/demo-keys.ts';
import { setVersionMetadata } from './server/versions.ts';
import { createWebServer, handleWeb } from './server/web.ts';

export const PROJECT = 'demo';
/** Devices close a window every 5 s, so a change shows within seconds. */
export const WINDOW_MS = 5_000;

/**
 * Collector settings the demo needs to move in seconds instead of hours: one 30 s rolling window
 * for alerts, evaluated every 5 s. Verdicts by distance at every sample size: the baseline
 * holds 731 days, few enough for the KS test to be the default judge, and the KS test rightly
 * finds Seattle's 2014–2015 different from 2012–2013 (1–1.5 °C warmer on average) — a real
 * but harmless shift (the model is more accurate on those years) that the demo does not want to
 * alert on. Wasserstein-1 at 0.3
 * baseline standard deviations separates it (at most 0.21) from New York (up to 1.2).
 */
export const DEMO_SETTINGS: Partial<CollectorOptions> = {
  evalWindows: '30s',
  alertIntervalMs: 5_000,
  driftSmallSample: 0,
  driftWassersteinNorm: 0.3,
  driftJs: 0.1,
};

export interface DemoOptions extends Partial<CollectorOptions> {
  /** No console output (tests). */
  quiet?: boolean;
}

export interface Demo {
  /** The demo page. */
  url: string;
  dashboardUrl: string;
  /** The collector's base URL (API, /metrics). */
  apiUrl: string;
  keys: DemoKeys;
  collector: Collector;
  close(): Promise<void>;
}

/** The dashboard reads its collector and read key from the URL once, then keeps them. */
export function dashboardLink(origin: string, readKey: string): string {
  // (demo/web/main.ts builds the same link from the page's own origin.)
  return `${origin}/dashboard/?collector=${encodeURIComponent(origin)}&key=${encodeURIComponent(readKey)}`;
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((r, j) => server.once('error', j).listen(0, host, r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const { quiet = false, ...overrides } = options;
  const log = quiet ? () => {} : (line: string) => console.log(line);
  const base = { ...defaultOptions(), ...DEMO_SETTINGS, ...overrides };
  // The alert links need the final address before the collector starts.
  const port = base.port === 0 ? await freePort(base.host) : base.port;
  const host = base.host.includes(':') ? `[${base.host}]` : base.host;
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const opts: CollectorOptions = { ...base, port, publicUrl: base.publicUrl ?? `${origin}/dashboard/` };
  const stateDir = resolve(opts.dataDir, 'demo');

  const collector = await createCollector(opts);
  let web: Awaited<ReturnType<typeof createWebServer>> | undefined;
  try {
    const { keys, created } = await ensureDemoKeys(collector.context.db, PROJECT, join(stateDir, 'keys.json'));
    web = await createWebServer(collector.app.server, opts.dataDir);
    const config = {
      ingestKey: keys.ingest,
      readKey: keys.read,
      model: {
        id: MODEL_ID,
        version: MODEL_VERSION,
        url: `/demo/model/${VERSIONS[MODEL_VERSION].model}`,
        features: FEATURES,
        classes: CLASSES,
      },
      canary: { version: CANARY_VERSION, url: `/demo/model/${VERSIONS[CANARY_VERSION].model}` },
      weatherCsv: '/node_modules/vega-datasets/data/weather.csv',
      windowMs: WINDOW_MS,
      evalWindowMs: parseEvalWindows(opts.evalWindows)[0].ms,
    };
    // The dashboard as `edgewatch serve` would serve it: a production build, rebuilt at every
    // start (a second or two) so it always matches the sources.
    await registerDashboard(collector.app, { dir: await buildDashboard(join(stateDir, 'dashboard')) });
    const serveWeb = handleWeb(web, config);
    collector.app.setNotFoundHandler((req, reply) => {
      if (req.url.startsWith('/v1/'))
        return reply.status(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}`, reason: 'not_found' });
      reply.hijack();
      serveWeb(req.raw, reply.raw);
    });
    await collector.app.listen({ host: opts.host, port });
    collector.url = origin;

    await mkdir(stateDir, { recursive: true });
    const columns = await uploadBaseline(origin, keys.admin, await buildBaseline(stateDir));
    await uploadBaseline(origin, keys.admin, await buildBaseline(stateDir, CANARY_VERSION), CANARY_VERSION);
    await setVersionMetadata(origin, keys.admin);
    const rules = await installDefaultRules(origin, keys.admin);

    const where = opts.databaseUrl ? 'PostgreSQL' : `PGlite in ${resolve(opts.dataDir)}`;
    log(`edgewatch demo (${where}; keys ${created.length ? `created: ${created.join(', ')}` : 'reused'})`);
    log(
      `  baselines of ${MODEL_ID}@${MODEL_VERSION} and of its canary ${CANARY_VERSION}: ${columns.length} columns; alert rules: ${rules.join(', ')}`,
    );
    log(`  demo page   ${origin}/`);
    log(`  dashboard   ${dashboardLink(origin, keys.read)}`);
    log(`  API         ${origin}/v1/models   (Authorization: Bearer <read key>)`);
    log(`  read key    ${keys.read}`);
    log('Ctrl-C stops.');

    let closing: Promise<void> | undefined;
    const viteServer = web;
    return {
      url: `${origin}/`,
      dashboardUrl: `${origin}/dashboard/`,
      apiUrl: origin,
      keys,
      collector,
      close() {
        closing ??= (async () => {
          await viteServer.close(); // closes the page's websocket first, so the server can stop
          await collector.close(); // stops accepting, lets in-flight requests finish, closes the database
        })();
        return closing;
      },
    };
  } catch (err) {
    await web?.close().catch(() => {});
    await collector.close().catch(() => {});
    throw err;
  }
}

// Run directly (npm start): start, then stop cleanly on Ctrl-C / SIGTERM.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Only what the command line or the environment changed overrides the demo's settings.
  const overrides: Partial<CollectorOptions> = {};
  try {
    const given = resolveOptions(process.argv.slice(2)) as unknown as Record<string, unknown>;
    const defaults = defaultOptions() as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(given)) if (v !== defaults[k]) (overrides as Record<string, unknown>)[k] = v;
  } catch (err) {
    console.error(`edgewatch demo: ${(err as Error).message}`);
    process.exit(2);
  }
  // Listening for the signals before anything starts: a signal that arrives as soon as the ready
  // lines are out must find its handler, not the default action that kills the process.
  const started = startDemo(overrides);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nedgewatch demo: ${signal}, stopping`);
    started
      .then((demo) => demo.close())
      .then(
        () => process.exit(0),
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  started.catch((err) => {
    console.error(`edgewatch demo: ${(err as Error).message}`);
    process.exit(1);
  });
}
