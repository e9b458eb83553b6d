// Builds a collector (storage, core, HTTP app) and runs it until SIGINT/SIGTERM. Shutdown stops
// accepting connections, lets in-flight requests finish (each acknowledges only after its commit)
// for at most the shutdown deadline, cuts the connections still open after it (an upload not yet
// received whole was never acknowledged, so nothing acknowledged is lost), then closes the
// database once the requests already being handled have settled.
import type { FastifyInstance } from 'fastify';
import { checkRole, defaultOptions, type CollectorOptions } from './config.ts';
import { parseEvalWindows } from './eval-windows.ts';
import type { CollectorContext } from './context.ts';
import { sharedCore, type Core } from './core.ts';
import { buildApp } from './http/app.ts';
import { KeyCache } from './http/auth.ts';
import { ModelRegistry } from './ingest/models.ts';
import { CollectorMetrics } from './metrics.ts';
import { WriteHealth } from './write-health.ts';
import { deliverDue } from './alerts/deliver.ts';
import { every } from './background.ts';
import { attachMergePool, detachMergePool, MergePool } from './read/merge-pool.ts';
import { evaluateAlerts, type Transition } from './alerts/evaluate.ts';
import { evaluateCanaries, type VerdictChange } from './alerts/canary-watch.ts';
import { otlpPayload, pushOtlp } from './exporters/otlp.ts';
import { ModelMetrics, registerAlertMetrics } from './model-metrics.ts';
import { rollupRound } from './read/rollup.ts';
import { pruneRound } from './read/retention.ts';
import { snapshot, type VersionState } from './read/snapshot.ts';
import { openStorage } from './storage/open.ts';
import { timed } from './storage/timed.ts';
import { registerDashboard } from './http/dashboard.ts';
import { collectRound } from './secure/collect.ts';
import { loadHelperKey } from './secure/helper-key.ts';
import { helperRoutes } from './secure/helper-routes.ts';
import { collectRoute, leaderRoutes } from './secure/leader-routes.ts';

export interface Collector {
  app: FastifyInstance;
  context: CollectorContext;
  /** Base URL once listening, e.g. http://127.0.0.1:8787 */
  url?: string;
  /** One alert round: evaluate every rule on a fresh snapshot and every canary watch, then send due webhooks. */
  runAlerts(now?: number): Promise<{ transitions: Transition[] | null; canaries: VerdictChange[] | null; sent: number; failed: number }>;
  /** One rollup round (hours closed before `now`); returns how many uploads it folded. */
  runRollups(now?: number): Promise<number>;
  /** One retention round at `now` (see retention.ts); rows deleted per resolution. */
  runRetention(now?: number): Promise<{ raw: number; hourly: number; daily: number; shares: number }>;
  /** One release round of the secure mode's leader (see secure/collect.ts). */
  runSecureRound(now?: number): Promise<{ released: number; withheld: number; failed: number }>;
  /** Pushes the interval [from, to) of window starts to the OTLP endpoint. */
  pushOtlp(from: number, to: number): Promise<void>;
  close(): Promise<void>;
}

export async function createCollector(options: Partial<CollectorOptions> = {}, deps: { core?: Core } = {}): Promise<Collector> {
  const opts = { ...defaultOptions(), ...options };
  parseEvalWindows(opts.evalWindows); // a bad list fails here, before storage opens
  checkRole(opts);
  const metrics = new CollectorMetrics();
  const raw = await openStorage({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  const db = timed(raw, metrics.dbSeconds);
  const core = deps.core ?? (await sharedCore());
  let pool: MergePool | undefined;
  try {
    pool = opts.mergeThreads > 0 ? await MergePool.start(opts.mergeThreads) : undefined;
  } catch (err) {
    await raw.close();
    throw err;
  }
  if (pool) attachMergePool(core, pool);
  const context: CollectorContext = {
    options: opts,
    db,
    core,
    models: new ModelRegistry(opts.keyCacheMs),
    keys: new KeyCache(db, opts.keyCacheMs),
    metrics,
    writes: new WriteHealth(metrics.registry),
  };
  // /metrics reports the latest alert round's evaluation (at most an alert interval plus a
  // round old), so a scrape costs a formatting pass, not a merge of every window; before the
  // first round ends it shares the round in progress, for at most FIRST_ROUND_WAIT_MS, then
  // answers without model series (a first round over many wide windows can outlast a scrape's
  // timeout); without background rounds it evaluates.
  let latest: Promise<VersionState[]> | undefined;
  let running: Promise<VersionState[]> | undefined;
  const evaluate = (now: number) => {
    const done = metrics.evaluationDuration.startTimer();
    const states = snapshot(db, core, opts, now, metrics.evaluationFailures);
    states.then(() => done()).catch(() => {});
    return states;
  };
  metrics.models = new ModelMetrics(() =>
    opts.alertIntervalMs > 0 ? (latest ?? atMost(running ?? evaluate(Date.now()), FIRST_ROUND_WAIT_MS, [])) : evaluate(Date.now()),
  );
  registerAlertMetrics(metrics.registry, db);
  const app = await buildApp(context);
  if (opts.role === 'helper') helperRoutes(app, context, await loadHelperKey(db));
  if (opts.role === 'leader') {
    leaderRoutes(app, context);
    collectRoute(app, context);
  }
  const runSecureRound = (now = Date.now()) => collectRound(context, now);
  const runAlerts = async (now = Date.now()) => {
    const states = (running = evaluate(now));
    const transitions = await evaluateAlerts(db, await states, now, opts.publicUrl);
    latest = states;
    const canaries = await evaluateCanaries(db, core, opts, now);
    return { transitions, canaries, ...(await deliverDue(db, now)) };
  };
  const runRollups = (now = Date.now()) =>
    rollupRound(db, core, now, 100, { quarantined: metrics.quarantined, failed: metrics.rollupFailures });
  const runRetention = (now = Date.now()) => pruneRound(db, opts, now);
  const otlp = async (from: number, to: number) => {
    if (!opts.otlpUrl) throw new Error('no OTLP endpoint configured (--otlp-url)');
    await pushOtlp(opts.otlpUrl, await otlpPayload(db, core, opts.kAnonymity, from, to));
  };
  const step = opts.otlpIntervalMs;
  const tasks = [
    every(opts.alertIntervalMs, 'alerts', () => runAlerts()),
    // Pruning follows each rollup round, so what it may delete has just had its chance to fold.
    every(opts.rollupIntervalMs, 'rollups', async () => {
      try {
        await runRollups();
      } finally {
        await runRetention();
      }
    }),
    every(opts.role === 'leader' && opts.alertIntervalMs > 0 ? secureRoundMs(opts.secureGraceMs) : 0, 'secure', () => runSecureRound()),
    // Each push covers the interval before the last one, so late uploads of a window still count.
    every(opts.otlpUrl ? step : 0, 'otlp', () => {
      const end = Date.now() - (Date.now() % step) - step;
      return otlp(end - step, end);
    }),
  ];
  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    runAlerts,
    runRollups,
    runRetention,
    runSecureRound,
    pushOtlp: otlp,
    close() {
      closing ??= (async () => {
        await closeWithin(app, opts.shutdownTimeoutMs);
        await Promise.all(tasks.map((t) => t.stop()));
        if (pool) {
          detachMergePool(core, pool);
          await pool.close();
        }
        await db.close();
      })();
      return closing;
    },
  };
}

/**
 * How often the leader looks for batches past their grace period (a cheap query when none is):
 * a quarter of the grace, within 0.25–5 s, so a batch is released soon after it closes.
 */
const secureRoundMs = (grace: number) => Math.min(5_000, Math.max(250, grace / 4));

/** How long a scrape waits for the first alert round before it answers without model series. */
const FIRST_ROUND_WAIT_MS = 1000;

/** `p`, or `fallback` if `p` takes longer than `ms`. */
function atMost<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Closes the server, cutting every connection still open after `ms` (0: wait for all). */
async function closeWithin(app: FastifyInstance, ms: number): Promise<void> {
  const closed = app.close();
  if (ms <= 0) return closed;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  app.server.closeAllConnections();
  await closed;
}

/** `edgewatch serve`: listens, logs one line, and shuts down gracefully on SIGINT/SIGTERM. */
export async function serve(options: Partial<CollectorOptions> = {}): Promise<Collector> {
  const collector = await createCollector(options);
  // The dashboard is served by `edgewatch serve`, not by every collector built in tests.
  await registerDashboard(collector.app);
  const { host, port } = collector.context.options;
  const address = await collector.app.listen({ host, port });
  collector.url = address;
  const where = collector.context.options.databaseUrl ? 'PostgreSQL' : `PGlite in ${collector.context.options.dataDir}`;
  const role = collector.context.options.role === 'collector' ? '' : `; secure-mode ${collector.context.options.role}`;
  console.log(`edgewatch collector listening on ${address} (${where}); dashboard at ${address}/dashboard/${role}`);
  const stop = (signal: string) => {
    console.log(`edgewatch collector: ${signal}, finishing in-flight requests`);
    collector.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return collector;
}
