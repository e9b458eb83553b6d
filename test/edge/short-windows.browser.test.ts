// The off mode's held windows on a real IndexedDB: a short window waits in the outbox, the next
// closing window absorbs it in the same transaction, and a window another tab merged meanwhile
// (compaction) is never absorbed twice.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { openStore } from '../../src/edge/store.ts';
import { decode, freshModelId } from './helpers.ts';

const T0 = Date.UTC(2026, 6, 1, 9, 0, 0);
const MINUTE = 60_000;

const rows = (values: number[]) =>
  [
    { x: { type: 'float32', data: Float32Array.from(values), dims: [values.length, 1] } },
    { y: { type: 'float32', data: new Float32Array(values.length), dims: [values.length, 1] } },
  ] as const;

test('short windows wait in IndexedDB and leave merged into the window that completes them', async () => {
  const modelId = freshModelId('held');
  const store = await openStore(modelId);
  expect(store.kind).toBe('indexeddb');
  const clock = { now: T0 };
  const core = await loadCore();
  const e = await MonitorEngine.start(resolveOptions({ modelId, modelVersion: '1', privacy: { mode: 'off', minRowsPerWindow: 6 } }), {
    core,
    store,
    now: () => clock.now,
  });
  try {
    e.record(...rows([1, 2]), { latencyMs: 1 });
    clock.now += MINUTE;
    e.record(...rows([3]), { latencyMs: 1 });
    clock.now += MINUTE;
    await e.flush();
    // The second short window absorbed the first: one held window of both.
    expect((await store.outbox()).map((x) => [x.held, x.events, x.windowStart, x.windowEnd])).toEqual([[true, 3, T0, T0 + 2 * MINUTE]]);
    e.record(...rows([4, 5, 6]), { latencyMs: 1 });
    await e.flush();
    const out = await store.outbox();
    expect(out.map((x) => [x.held, x.events])).toEqual([[undefined, 6]]);
    const p = await decode(out[0].bytes);
    expect(p.summary('x.0')).toMatchObject({ count: 6, min: 1, max: 6 });
    expect(Number(p.meta.windowStart)).toBe(T0);
    p.dispose();
  } finally {
    await e.close();
  }
});

test('a held window merged away meanwhile (another tab compacted it) is not absorbed again', async () => {
  const store = await openStore(freshModelId('held-race'));
  const entry = (id: string, held?: boolean) => ({
    uploadId: id,
    group: 'g',
    windowStart: T0,
    windowEnd: T0 + MINUTE,
    bytes: new Uint8Array([1]),
    attempts: 0,
    notBefore: 0,
    events: 1,
    ...(held ? { held } : {}),
  });
  await store.putCheckpoint({ key: 'k', instanceId: 'i', windowStart: T0, windowEnd: T0 + MINUTE, bytes: new Uint8Array([1]), events: 1 });
  await store.putOutbox(entry('held-a', true));
  await store.replaceOutbox(['held-a'], [entry('compacted', true)]); // the other tab's merge
  await store.closeCheckpoint('k', entry('closing'), { held: ['held-a'], merged: entry('merged') });
  expect((await store.outbox()).map((x) => x.uploadId).sort()).toEqual(['closing', 'compacted']);
  expect(await store.checkpoints()).toEqual([]);
  // Still there: absorbed and gone, in one step.
  await store.putCheckpoint({ key: 'k2', instanceId: 'i', windowStart: T0, windowEnd: T0 + MINUTE, bytes: new Uint8Array([1]), events: 1 });
  await store.closeCheckpoint('k2', entry('closing-2'), { held: ['compacted'], merged: entry('merged-2') });
  expect((await store.outbox()).map((x) => x.uploadId).sort()).toEqual(['closing', 'merged-2']);
  store.close();
});
