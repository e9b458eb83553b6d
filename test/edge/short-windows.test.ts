// In the `off` mode a window of one row would carry that row's exact values (min = max = sum),
// so a window with fewer than minRowsPerWindow events is held on the device and merged into the
// group's next closed window; only a window with enough leaves. Checked on the real core's bytes
// against the raw rows, and on what is POSTed.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { type MonitorOptions, resolveOptions } from '../../src/edge/options.ts';
import { MemoryStore, type Store } from '../../src/edge/store.ts';

const T0 = Date.UTC(2026, 6, 1, 9, 0, 0);
const MINUTE = 60_000;

async function engine(store: Store, clock: { now: number }, extra: Partial<MonitorOptions> = {}, posted: Uint8Array[] = []) {
  return MonitorEngine.start(resolveOptions({ modelId: 'short', modelVersion: '1', ...extra }), {
    core: await loadCore(),
    store,
    now: () => clock.now,
    // The collector: acknowledges every upload and keeps its body.
    fetch: (async (_url: string, init: RequestInit) => {
      posted.push(new Uint8Array(init.body as ArrayBuffer));
      return new Response('{}', { status: 200, headers: { date: new Date(clock.now).toUTCString() } });
    }) as typeof fetch,
  });
}

function rows(values: number[]) {
  return [
    { x: { type: 'float32', data: Float32Array.from(values), dims: [values.length, 1] } },
    { y: { type: 'float32', data: Float32Array.from(values, (v) => v * 2), dims: [values.length, 1] } },
  ] as const;
}

test('short windows are held and merged into the next until they hold enough rows', async () => {
  const core = await loadCore();
  const store = new MemoryStore();
  const clock = { now: T0 };
  const posted: Uint8Array[] = [];
  const e = await engine(store, clock, { collector: 'http://collector.test' }, posted);
  const batches = [[3.25], [1.5, 7.75, 2], [4, 4.5, 5, 6.25, 0.5, 9]];
  for (const [i, values] of batches.entries()) {
    clock.now = T0 + i * MINUTE + 1000;
    e.record(...rows(values), { latencyMs: 2 });
    await e.flush();
    const out = await e.outbox();
    if (i < 2) {
      // One held window spanning the short ones, never sent.
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ held: true, windowStart: T0, windowEnd: T0 + (i + 1) * MINUTE });
      expect(posted).toHaveLength(0);
    }
  }
  expect(await e.outbox()).toHaveLength(0);
  expect(posted).toHaveLength(1);
  const p = core.profileFromBytes(posted[0]);
  const all = batches.flat();
  const x = p.summary('x.0');
  if (x.kind === 'categorical') throw new Error('numeric expected');
  expect(x.count).toBe(all.length);
  expect(x.min).toBe(Math.min(...all));
  expect(x.max).toBe(Math.max(...all));
  expect(x.sum).toBeCloseTo(
    all.reduce((a, b) => a + b, 0),
    9,
  );
  expect(Number(p.meta.windowStart)).toBe(T0);
  expect(Number(p.meta.windowEnd)).toBe(T0 + 3 * MINUTE);
  // The one-row window's value is not alone anywhere: no upload has min = max = 3.25.
  expect(x.min).not.toBe(x.max);
  p.dispose();
  await e.close();
});

test('a short last window survives close and leaves with the next session, never alone', async () => {
  const core = await loadCore();
  const store = new MemoryStore();
  const clock = { now: T0 };
  const first = await engine(store, clock, { privacy: { mode: 'off', minRowsPerWindow: 4 } });
  first.record(...rows([11, 12]), { latencyMs: 1 });
  await first.close();
  const [held] = await store.outbox();
  expect(held).toMatchObject({ held: true, events: 2 });

  clock.now = T0 + 5 * MINUTE;
  const second = await engine(store, clock, { privacy: { mode: 'off', minRowsPerWindow: 4 } });
  // Another segment is another group: never merged with it.
  const other = await engine(new MemoryStore(), clock, { segment: { region: 'eu' }, privacy: { mode: 'off', minRowsPerWindow: 4 } });
  other.record(...rows([1, 2, 3, 4]), { latencyMs: 1 });
  await other.flush();
  second.record(...rows([13, 14]), { latencyMs: 1 });
  await second.flush();
  const out = await store.outbox();
  expect(out).toHaveLength(1);
  expect(out[0]).toMatchObject({ events: 4, windowStart: T0, windowEnd: T0 + 6 * MINUTE });
  expect(out[0].held).toBeUndefined();
  const p = core.profileFromBytes(out[0].bytes);
  expect(p.summary('x.0')).toMatchObject({ count: 4, min: 11, max: 14 });
  p.dispose();
  await second.close();
  await other.close();
});

test('minRowsPerWindow is checked', () => {
  expect(() => resolveOptions({ modelId: 'm', modelVersion: '1', privacy: { mode: 'off', minRowsPerWindow: 0 } })).toThrow(
    /minRowsPerWindow must be a positive integer/,
  );
});
