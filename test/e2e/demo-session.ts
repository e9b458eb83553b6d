// What the demo's end-to-end files share: a demo on a fresh data directory and the system's
// Chromium for the whole file (closed after it, the directory removed), and the demo page with
// its simulated devices started at a device count and speed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll } from 'vitest';
import { startDemo, type Demo } from '../../demo/start.ts';
import { launchChromium } from './helpers.ts';

export interface DemoSession {
  /** The data directory (a later start of `npm start` may reuse it). */
  dir: string;
  demo: Demo;
  browser: Browser;
  /** The demo page, once `startDevices` opened it. */
  page?: Page;
  /** Errors the demo page threw. */
  problems: string[];
}

/** Registers the file's beforeAll/afterAll; the session's fields are set once beforeAll ran. */
export function demoSession(prefix: string): DemoSession {
  const s = { problems: [] as string[] } as DemoSession;
  beforeAll(async () => {
    s.dir = await mkdtemp(join(tmpdir(), prefix));
    s.demo = await startDemo({ dataDir: join(s.dir, 'data'), port: 0, quiet: true });
    s.browser = await launchChromium();
  });
  afterAll(async () => {
    await s.page?.close().catch(() => {});
    await s.browser?.close();
    await s.demo?.close();
    if (s.dir) await rm(s.dir, { recursive: true, force: true });
  });
  return s;
}

/** Sets a range input as a person dragging it would (the page listens for `input`). */
export async function setRange(page: Page, selector: string, value: number) {
  await page.locator(selector).evaluate((el, v) => {
    (el as HTMLInputElement).value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/**
 * Opens the demo page, sets the device count, the speed (simulated days per second) and any
 * other range inputs, and starts the devices; resolves once they run.
 */
export async function startDevices(
  s: DemoSession,
  o: { devices: number; daysPerSecond: number; ranges?: Record<string, number>; height: number; startTimeoutMs: number },
): Promise<Page> {
  const page = await s.browser.newPage({ viewport: { width: 1280, height: o.height } });
  s.page = page;
  page.on('pageerror', (e) => s.problems.push(e.message));
  await page.goto(s.demo.url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  await page.fill('#device-count', String(o.devices));
  await setRange(page, '#speed', o.daysPerSecond);
  for (const [selector, value] of Object.entries(o.ranges ?? {})) await setRange(page, selector, value);
  await page.click('#start');
  await page.waitForSelector('#stop:not([disabled])', { timeout: o.startTimeoutMs });
  return page;
}
