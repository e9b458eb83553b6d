// For the end-to-end test: the collector's read API with the demo's read key, bounded polling,
// the system's Chromium, and where screenshots go.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import type { Demo } from '../../demo/start.ts';

export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return `${SCREENSHOTS}${name}.png`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Where to read: a demo started in this process, or the address and key a demo process printed. */
export type ReadTarget = Pick<Demo, 'apiUrl'> & { keys: Pick<Demo['keys'], 'read'> };

export async function readApi<T>(target: ReadTarget, path: string): Promise<T> {
  const res = await fetch(`${target.apiUrl}${path}`, { headers: { authorization: `Bearer ${target.keys.read}` } });
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${body.error ?? ''}`);
  return body;
}

/** Polls `check` once a second until it returns a value, at most `attempts` times. */
export async function waitFor<T>(what: string, attempts: number, check: () => Promise<T | undefined | null | false>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`gave up waiting for ${what} after ${attempts} tries${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export interface DriftColumn {
  count: [number, number];
  drifted: { drifted: boolean; test: string; value: number | null; threshold: number };
}

export interface DriftPoint {
  devices: number;
  rows: number;
  suppressed: boolean;
  driftedColumns?: number;
  columns?: Record<string, DriftColumn>;
}

/** The collector's drift of [from, to) as one step; null when suppressed (below k devices). */
export async function driftOver(demo: Demo, model: string, version: string, from: number, to = Date.now()): Promise<DriftPoint | null> {
  const path = `/v1/models/${model}/versions/${version}/drift?from=${from}&to=${to}&step=${Math.max(60_000, to - from)}`;
  const { points } = await readApi<{ points: DriftPoint[] }>(demo, path);
  return points[0] && !points[0].suppressed ? points[0] : null;
}

/** Names of the columns the collector marks drifted. */
export const driftedNames = (p: DriftPoint) =>
  Object.entries(p.columns ?? {})
    .filter(([, c]) => c.drifted.drifted)
    .map(([n]) => n)
    .sort();

export interface Alert {
  rule: string;
  series: string;
  state: 'pending' | 'firing' | 'resolved';
  value: number | null;
  firedAt: number | null;
  evidence: { column?: string | null; link?: string | null };
}

export async function alerts(demo: Demo): Promise<Alert[]> {
  return (await readApi<{ alerts: Alert[] }>(demo, '/v1/alerts?state=all')).alerts;
}
