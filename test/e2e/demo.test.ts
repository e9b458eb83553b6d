// The demo end to end: `npm start`'s server on a fresh data directory, the demo page in a real
// Chromium, simulated devices running the real ONNX model through onnxruntime-web and uploading
// sketches to the real collector. Seattle traffic stays quiet; switching the devices to New York
// makes the collector find drifted columns within a few windows and fire its drift alert.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CANARY_VERSION, MODEL_ID, MODEL_VERSION } from '../../demo/model/config.ts';
import { dashboardLink, WINDOW_MS } from '../../demo/start.ts';
import { parseEvalWindows } from '../../src/collector/index.ts';
import { demoSession, startDevices } from './demo-session.ts';
import { alerts, driftedNames, driftOver, readApi, screenshotPath, waitFor } from './helpers.ts';
import { startDemoProcess } from './process.ts';

const DEVICES = 6;
const DAYS_PER_SECOND = 20;

const s = demoSession('edgewatch-e2e-');

test('Seattle traffic raises no drift alert; New York drifts and fires one', { timeout: 150_000 }, async () => {
  const { demo, browser, problems } = s;
  const page = await startDevices(s, { devices: DEVICES, daysPerSecond: DAYS_PER_SECOND, height: 1000, startTimeoutMs: 60_000 });

  // Seattle: wait until the collector's rolling window holds every device and a few windows of
  // rows, let the alert rules evaluate it, and check that nothing drifted.
  const evalWindow = parseEvalWindows(demo.collector.context.options.evalWindows)[0].ms;
  const seattle = await waitFor('Seattle windows from every device', 60, async () => {
    const p = await driftOver(demo, MODEL_ID, MODEL_VERSION, Date.now() - evalWindow);
    return p && p.devices === DEVICES && p.rows >= DEVICES * DAYS_PER_SECOND * 3 * (WINDOW_MS / 1000) ? p : null;
  });
  await demo.collector.runAlerts();
  expect(driftedNames(seattle)).toEqual([]);
  // An alert notifies once its condition held for the rule's evaluations (3 for drift); a first
  // window holding a second of rows may flicker a column to pending, never to firing.
  const fired = (await alerts(demo)).filter((a) => a.rule === 'drift' && a.firedAt !== null);
  expect(fired, JSON.stringify(await alerts(demo))).toEqual([]);
  await page.waitForSelector('#drift-count');
  await page.screenshot({ path: await screenshotPath('1-seattle'), fullPage: true });

  // New York: within a bounded number of windows after the switch, the inputs drift.
  await page.selectOption('#scenario', 'new-york');
  const switchedAt = Math.ceil(Date.now() / WINDOW_MS) * WINDOW_MS; // the first window wholly after the switch
  const newYork = await waitFor('drifted columns from New York windows', 8 * (WINDOW_MS / 1000), async () => {
    if (Date.now() < switchedAt + WINDOW_MS) return null;
    const p = await driftOver(demo, MODEL_ID, MODEL_VERSION, switchedAt);
    return p && driftedNames(p).length > 0 ? p : null;
  });
  const drifted = driftedNames(newYork);
  // New York's winters are colder and its days windier than Seattle's: the real shift.
  expect(drifted).toEqual(expect.arrayContaining(['temp_min', 'wind']));
  expect(drifted).not.toContain('precipitation');

  // The drift rule fires once its condition held for its number of evaluations; columns reach
  // that count in different rounds (temp_min often one before wind), so wait for wind's.
  const firing = await waitFor('a firing drift alert on wind', 12 * (WINDOW_MS / 1000), async () => {
    const open = (await alerts(demo)).filter((a) => a.rule === 'drift' && a.state === 'firing');
    return open.some((a) => a.evidence.column === 'wind') ? open : null;
  });
  expect(firing.map((a) => a.evidence.column)).toEqual(expect.arrayContaining(['wind']));
  // Links into the dashboard's view of this model version (or deeper).
  for (const a of firing) expect(a.evidence.link).toContain(`${demo.dashboardUrl}#/models/${MODEL_ID}/versions/${MODEL_VERSION}`);

  await page.waitForSelector('#alerts li.firing', { timeout: 30_000 });
  await page.screenshot({ path: await screenshotPath('2-new-york'), fullPage: true });
  expect(problems).toEqual([]);

  // The dashboard served by the same process: the fleet, the view the alert links to, and the
  // column that drifted most. (Its own tests check its numbers; here: it shows this model's state.)
  const dash = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  dash.on('pageerror', (e) => problems.push(`dashboard: ${e.message}`));
  await dash.goto(dashboardLink(demo.apiUrl, demo.keys.read));
  await dash.getByText(MODEL_ID).first().waitFor({ timeout: 30_000 });
  await dash.screenshot({ path: await screenshotPath('3-dashboard-fleet'), fullPage: true });
  // An alert's link opens the column view of its column at the alert's window.
  const alerted = firing[0];
  expect(alerted.evidence.link).toContain(`/columns/${encodeURIComponent(alerted.evidence.column!)}`);
  await dash.goto(alerted.evidence.link!);
  await dash.getByRole('heading', { name: alerted.evidence.column!, exact: true }).waitFor({ timeout: 30_000 });
  await dash.goto(`${demo.dashboardUrl}#/models/${MODEL_ID}/versions/${MODEL_VERSION}?range=15m`);
  await dash.getByText('temp_min').first().waitFor({ timeout: 30_000 });
  await dash.screenshot({ path: await screenshotPath('4-dashboard-model'), fullPage: true });
  await dash.goto(`${demo.dashboardUrl}#/models/${MODEL_ID}/versions/${MODEL_VERSION}/columns/wind?range=15m`);
  await dash.getByText('drifted', { exact: true }).first().waitFor({ timeout: 30_000 }); // wind's verdict
  await dash.screenshot({ path: await screenshotPath('5-dashboard-column'), fullPage: true });
  await dash.close();
  expect(problems).toEqual([]);

  // Stop: every device closes its window and uploads it.
  await page.click('#stop');
  await page.waitForSelector('#start:not([disabled])', { timeout: 30_000 });
});

test('the web server never serves the data directory (database, keys)', async () => {
  const { demo, dir } = s;
  for (const path of [`/@fs${join(dir, 'data', 'demo', 'keys.json')}`, `/@fs${join(dir, 'data', 'PG_VERSION')}`, '/package.json']) {
    const res = await fetch(`${demo.apiUrl}${path}`);
    expect(res.status, path).toBe(403);
    expect(await res.text()).not.toContain(demo.keys.admin);
  }
});

test('a second start (npm start) reuses the data and the keys, and Ctrl-C stops it cleanly', { timeout: 90_000 }, async () => {
  const { demo, dir } = s;
  const readKey = demo.keys.read;
  await demo.close();
  const second = await startDemoProcess(join(dir, 'data'));
  try {
    expect(second.output).toContain('keys reused');
    expect(second.readKey).toBe(readKey);
    const { models } = await readApi<{ models: { model: string; version: string; baseline: boolean; devices: number | null }[] }>(
      { apiUrl: second.apiUrl, keys: { read: second.readKey } },
      '/v1/models',
    );
    // The model and its canary, both with their baselines; only 1.0.0 ran on devices here.
    expect(models).toEqual([
      expect.objectContaining({ model: MODEL_ID, version: MODEL_VERSION, baseline: true, devices: DEVICES }),
      expect.objectContaining({ model: MODEL_ID, version: CANARY_VERSION, baseline: true, devices: null }),
    ]);
  } finally {
    const exit = await second.interrupt();
    expect(exit.code).toBe(0);
    expect(exit.output).toContain('stopping');
  }
  await expect(fetch(`${second.apiUrl}/healthz`)).rejects.toThrow(); // the collector is gone with npm
});

test('SIGTERM to the npm process of npm start stops the collector and closes its database', { timeout: 90_000 }, async () => {
  const { dir } = s;
  const third = await startDemoProcess(join(dir, 'data'));
  const exit = await third.interrupt('SIGTERM');
  expect(exit.code).toBe(0);
  expect(exit.output).toContain('SIGTERM, stopping');
  await expect(fetch(`${third.apiUrl}/healthz`)).rejects.toThrow();
  // The database was closed cleanly: a fourth start opens it and finds the keys it made.
  const fourth = await startDemoProcess(join(dir, 'data'));
  expect(fourth.output).toContain('keys reused');
  expect((await fourth.interrupt()).code).toBe(0);
});
