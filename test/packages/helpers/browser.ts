// Opens a page of an installed app in the system's Chromium and waits for the report its module
// leaves on globalThis; fails with the page's own errors when it never comes.
import type { Browser } from 'playwright';

export interface PageReport {
  scores: number[];
  predictionId: string;
  status: { privacy: string; storage: string; outbox: number; budgetExhausted: boolean };
}

export interface Loaded {
  report: PageReport;
  /** Every response the page and its workers got: URL path, status and content type. */
  responses: { path: string; status: number; type: string }[];
}

export async function loadApp(browser: Browser, url: string, timeoutMs = 60_000): Promise<Loaded> {
  const context = await browser.newContext(); // a fresh profile: its own IndexedDB, its own device
  const page = await context.newPage();
  const errors: string[] = [];
  const responses: Loaded['responses'] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  context.on('response', (r) =>
    responses.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()['content-type'] ?? '' }),
  );
  try {
    await page.goto(url);
    const failed = new Promise<never>((_, reject) => page.on('pageerror', (e) => reject(new Error(`${url}: ${e.message}`))));
    const handle = await Promise.race([
      page.waitForFunction(() => (globalThis as { __edgewatch?: unknown }).__edgewatch, null, { timeout: timeoutMs }),
      failed,
    ]);
    const report = (await handle.jsonValue()) as PageReport;
    return { report, responses };
  } catch (err) {
    throw new Error(`${(err as Error).message}\npage errors: ${errors.join(' | ') || 'none'}`);
  } finally {
    await context.close();
  }
}
