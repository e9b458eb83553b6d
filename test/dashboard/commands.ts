// Node-side commands for the dashboard's browser tests: start a real collector (PGlite in
// memory) that also serves the production build of the dashboard, seed it with a project, hand
// its URL and read key to the page; open the served dashboard in a page of its own; take
// screenshots; stop the collector.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Frame, Page } from 'playwright';
import type { BrowserCommand } from 'vitest/node';
import { sharedCore } from '../../src/collector/core.ts';
import { createKey } from '../../src/collector/keys.ts';
import { saveRule } from '../../src/collector/alerts/rules.ts';
import { saveSlo } from '../../src/collector/slo/slos.ts';
import { createCollector } from '../../src/collector/server.ts';
import { registerDashboard } from '../../src/collector/http/dashboard.ts';
import { buildDashboard } from '../../src/dashboard/build.ts';
import type { Running } from '../collector/helpers/collector.ts';
import { seedCanary, seedProject, seedSchemaChange, uploadRankerDevice } from './seed.ts';

const running = new Map<string, { collector: Running; buildDir: string }>();

export interface DashboardCollector {
  url: string;
  readKey: string;
  /** The time the seed was built for: its windows are placed from it (seed.ts, churn-rows.ts). */
  seededAt: number;
}

/** Where the screenshots go (test-results/ is not committed). */
export const SCREENSHOT_DIR = resolve('test-results/dashboard');

const startDashboardCollector: BrowserCommand<[]> = async (): Promise<DashboardCollector> => {
  const collector = await createCollector({
    dataDir: 'memory://',
    keyCacheMs: 0,
    rateLimitPerDevice: 0,
    kAnonymity: 3,
    alertIntervalMs: 0,
  });
  const buildDir = mkdtempSync(join(tmpdir(), 'edgewatch-dashboard-'));
  try {
    // Exactly what `edgewatch serve` does to host the dashboard, on a fresh build.
    await registerDashboard(collector.app, { dir: await buildDashboard(buildDir) });
    const url = await collector.app.listen({ host: '127.0.0.1', port: 0 });
    const db = collector.context.db;
    const keys = {
      ingest: (await createKey(db, { project: 'alpha', kind: 'ingest' })).key,
      read: (await createKey(db, { project: 'alpha', kind: 'read' })).key,
      admin: (await createKey(db, { project: 'alpha', kind: 'admin' })).key,
    };
    const r: Running = { url, collector, keys, stop: () => collector.close() };
    const seededAt = Date.now();
    await seedProject(await sharedCore(), r, seededAt);
    running.set(url, { collector: r, buildDir });
    return { url, readKey: keys.read, seededAt };
  } catch (err) {
    await collector.close();
    rmSync(buildDir, { recursive: true, force: true });
    throw err;
  }
};

const stopDashboardCollector: BrowserCommand<[url: string]> = async (_ctx, url) => {
  const c = running.get(url);
  running.delete(url);
  await c?.collector.stop();
  if (c) rmSync(c.buildDir, { recursive: true, force: true });
};

function playwrightOf(ctx: Parameters<BrowserCommand<[]>>[0]): { page: Page; frame(): Promise<Frame> } {
  if (ctx.provider.name !== 'playwright') throw new Error('the dashboard commands need the playwright provider');
  return ctx as unknown as { page: Page; frame(): Promise<Frame> };
}

/**
 * Screenshot of the test frame at its real size. The runner scales the frame down to fit its
 * own window, so the window is first made large enough for the frame to be drawn at scale 1;
 * the test sets the frame's size again afterwards.
 */
const dashboardScreenshot: BrowserCommand<[name: string, width: number, height: number]> = async (ctx, name, width, height) => {
  const { page, frame } = playwrightOf(ctx);
  const before = page.viewportSize();
  await page.setViewportSize({ width: width + 40, height: height + 40 });
  const element = await (await frame()).frameElement();
  // The runner set the frame's scale when its size was last set; at this window size it is 1.
  await element.evaluate((iframe) => {
    (iframe.parentElement as HTMLElement).style.transform = 'scale(1)';
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await element.screenshot({ path });
  if (before) await page.setViewportSize(before);
  return path;
};

/**
 * Opens the dashboard as the collector serves it (the production build, at /dashboard/) in a
 * page of its own, with the connection in the URL, and reports what its fleet table shows.
 */
const openServedDashboard: BrowserCommand<[url: string, readKey: string]> = async (ctx, url, readKey) => {
  const { page } = playwrightOf(ctx);
  const served = await page.context().newPage();
  try {
    await served.setViewportSize({ width: 1280, height: 800 });
    await served.goto(`${url}/dashboard/?collector=${encodeURIComponent(url)}&key=${encodeURIComponent(readKey)}#/`);
    // Playwright's CSS selectors reach into open shadow roots.
    const rows = served.locator('tr[data-model]');
    await rows.nth(4).waitFor({ timeout: 20_000 });
    const statuses = await rows.evaluateAll((trs) =>
      trs.map((tr) => `${(tr as HTMLElement).dataset.model}:${(tr as HTMLElement).dataset.status}`),
    );
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await served.screenshot({ path: join(SCREENSHOT_DIR, 'served-fleet.png'), fullPage: true });
    return {
      statuses,
      location: served.url(),
      storedKey: await served.evaluate(() => (localStorage.getItem('edgewatch.dashboard.key') === null ? null : 'stored')),
    };
  } finally {
    await served.close();
  }
};

/** A read key of another project, one without any model. */
const createEmptyProjectKey: BrowserCommand<[url: string]> = async (_ctx, url) => {
  const c = running.get(url);
  if (!c) throw new Error(`no dashboard collector at ${url}`);
  return (await createKey(c.collector.collector.context.db, { project: 'empty', kind: 'read' })).key;
};

/** One more device reports for ranker@1.0.0 (what a refresh should pick up). */
const addRankerDevice: BrowserCommand<[url: string]> = async (_ctx, url) => {
  const c = running.get(url);
  if (!c) throw new Error(`no dashboard collector at ${url}`);
  await uploadRankerDevice(await sharedCore(), c.collector, 'late');
};

/** A version whose windows lack a baseline column and record another as a number (seed.ts). */
const addSchemaChange: BrowserCommand<[url: string]> = async (_ctx, url) => {
  const c = running.get(url);
  if (!c) throw new Error(`no dashboard collector at ${url}`);
  await seedSchemaChange(await sharedCore(), c.collector);
};

/** A drift rule on churn and one alert round: the drifted columns open an incident. */
const openChurnIncident: BrowserCommand<[url: string]> = async (_ctx, url) => {
  const c = running.get(url);
  if (!c) throw new Error(`no dashboard collector at ${url}`);
  const ctx = c.collector.collector.context;
  const [{ id: projectId }] = await ctx.db.query<{ id: number }>("select id from projects where name = 'alpha'");
  await saveRule(ctx.db, projectId, {
    name: 'churn-drift',
    metric: 'drifted',
    model: 'churn',
    op: '>=',
    threshold: 1,
    for: 1,
    severity: 'ticket',
    owner: 'ml-team',
    window: '1h',
  });
  await c.collector.collector.runAlerts();
  const [incident] = await ctx.db.query<{ id: number }>("select id from incidents where model = 'churn' order by id desc limit 1");
  return Number(incident.id);
};

/** A latency SLO on churn (whose seed records latencies). */
const createChurnSlo: BrowserCommand<[url: string]> = async (_ctx, url) => {
  const c = running.get(url);
  if (!c) throw new Error(`no dashboard collector at ${url}`);
  const db = c.collector.collector.context.db;
  const [{ id: projectId }] = await db.query<{ id: number }>("select id from projects where name = 'alpha'");
  await saveSlo(
    db,
    projectId,
    { name: 'churn-fast', model: 'churn', indicator: 'latency', threshold: 20, objective: 0.9, period: '30d', owner: 'platform' },
    '1h',
    Date.now(),
  );
};

/** churn@1.1.0, a canary of churn@1.0.0, with both versions' metadata (seed.ts). */
const seedChurnCanary: BrowserCommand<[url: string, seededAt: number]> = async (_ctx, url, seededAt) => {
  const c = running.get(url);
  if (!c) throw new Error(`no dashboard collector at ${url}`);
  await seedCanary(await sharedCore(), c.collector, seededAt);
};

export const dashboardCommands = {
  seedChurnCanary,
  openChurnIncident,
  createChurnSlo,
  startDashboardCollector,
  stopDashboardCollector,
  dashboardScreenshot,
  openServedDashboard,
  createEmptyProjectKey,
  addRankerDevice,
  addSchemaChange,
};
