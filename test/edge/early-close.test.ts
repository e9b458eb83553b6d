// A window closed early (flush) whose end lies more than a minute ahead states the close as its
// end, so the collector, which refuses windows ending minutes in the future, accepts it at once;
// a window of a minute keeps its grid end. Checked on the header of what is POSTed and on what
// a real collector answers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { type MonitorOptions, resolveOptions } from '../../src/edge/options.ts';
import { MemoryStore } from '../../src/edge/store.ts';
import { BACKENDS } from '../collector/helpers/backends.ts';
import { startCollector, type Running } from '../collector/helpers/collector.ts';

const HOUR = 3_600_000;
let c: Running;

beforeAll(async () => {
  c = await startCollector(BACKENDS[0]);
});
afterAll(() => c?.stop());

async function flushedAfter(window: number, elapsed: number) {
  const core = await loadCore();
  const now = Date.now();
  const start = now - (now % window);
  const clock = { now: start + elapsed };
  const posted: Uint8Array[] = [];
  const statuses: number[] = [];
  const options: Partial<MonitorOptions> = { modelId: 'early', modelVersion: '1', window, collector: c.url, apiKey: c.keys.ingest };
  const e = await MonitorEngine.start(resolveOptions(options as MonitorOptions), {
    core,
    store: new MemoryStore(),
    now: () => clock.now,
    fetch: (async (url: string, init: RequestInit) => {
      posted.push(new Uint8Array(init.body as ArrayBuffer));
      const res = await fetch(url, init);
      statuses.push(res.status);
      return res;
    }) as typeof fetch,
  });
  const values = Float32Array.from({ length: 12 }, (_, i) => i / 4);
  e.record(
    { x: { type: 'float32', data: values, dims: [12, 1] } },
    { y: { type: 'float32', data: values.map((v) => v * 2), dims: [12, 1] } },
    { latencyMs: 2 },
  );
  await e.flush();
  for (let i = 0; i < 50 && statuses.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await e.close();
  const p = core.profileFromBytes(posted[0]);
  const meta = p.meta!;
  p.dispose();
  return { start, closedAt: clock.now, windowStart: Number(meta.windowStart), windowEnd: Number(meta.windowEnd), statuses };
}

test('an hourly window flushed early ends when it closed and is accepted', async () => {
  // Flushed at most three minutes into the hour (never after the wall clock): 57 minutes early.
  const elapsed = Math.min(3 * 60_000, Math.max(1, (Date.now() % HOUR) - 1000));
  const r = await flushedAfter(HOUR, elapsed);
  expect(r.windowStart).toBe(r.start);
  expect(r.windowEnd).toBe(r.closedAt);
  expect(r.statuses).toEqual([200]);
});

test('a one-minute window keeps its grid end', async () => {
  const r = await flushedAfter(60_000, 1000);
  expect([r.windowStart, r.windowEnd]).toEqual([r.start, r.start + 60_000]);
  expect(r.statuses).toEqual([200]);
});
