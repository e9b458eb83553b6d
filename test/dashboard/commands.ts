// Node-side commands for the dashboard's browser tests: start a real collector (PGlite in
// memory) seeded with a project, hand its URL and read key to the page, stop it afterwards.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserCommand } from 'vitest/node';
import { sharedCore } from '../../src/collector/core.ts';
import { startCollector, type Running } from '../collector/helpers/collector.ts';
import { BACKENDS } from '../collector/helpers/backends.ts';
import { seedProject } from './seed.ts';

const running = new Map<string, Running>();

export interface DashboardCollector {
  url: string;
  readKey: string;
}

const startDashboardCollector: BrowserCommand<[]> = async (): Promise<DashboardCollector> => {
  const pglite = BACKENDS.find((b) => b.name === 'pglite')!;
  const c = await startCollector(pglite, { kAnonymity: 3, alertIntervalMs: 0 });
  try {
    await seedProject(await sharedCore(), c);
  } catch (err) {
    await c.stop();
    throw err;
  }
  running.set(c.url, c);
  return { url: c.url, readKey: c.keys.read };
};

const stopDashboardCollector: BrowserCommand<[url: string]> = async (_ctx, url) => {
  const c = running.get(url);
  running.delete(url);
  await c?.stop();
};

/** Where the screenshots go (test-results/ is not committed). */
export const SCREENSHOT_DIR = resolve('test-results/dashboard');

/**
 * Screenshot of the test frame at its real size. The runner scales the frame down to fit its
 * own window, so the window is first made large enough for the frame to be drawn at scale 1;
 * the test sets the frame's size again afterwards.
 */
const dashboardScreenshot: BrowserCommand<[name: string, width: number, height: number]> = async (ctx, name, width, height) => {
  if (ctx.provider.name !== 'playwright') throw new Error('dashboard screenshots need the playwright provider');
  const { page } = ctx as unknown as { page: import('playwright').Page };
  const frame = await (ctx as unknown as { frame(): Promise<import('playwright').Frame> }).frame();
  const before = page.viewportSize();
  await page.setViewportSize({ width: width + 40, height: height + 40 });
  const element = await frame.frameElement();
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

export const dashboardCommands = { startDashboardCollector, stopDashboardCollector, dashboardScreenshot };
