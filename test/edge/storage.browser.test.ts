// Windows in the real IndexedDB: checkpoints survive a crashed worker and are recovered by the
// next start; another running tab's open window is left alone; quota exhaustion falls back to
// memory; the outbox cap merges old windows before it drops any, and counts what it drops.
import { openDB } from 'idb';
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { createMonitor } from '../../src/edge/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { databaseName, openStore, type Checkpoint } from '../../src/edge/store.ts';
import { buildClassifier, churnClassifier } from '../fixtures/onnx/build-model.ts';
import { decode, featureRows, freshModelId, waitFor } from './helpers.ts';

/** One window for the whole test: a wall-clock window boundary cannot split what it records. */
const ONE_WINDOW = 2 ** 40;

const model = buildClassifier(churnClassifier);

async function checkpoints(modelId: string): Promise<Checkpoint[]> {
  const db = await openDB(databaseName(modelId));
  try {
    return (await db.getAll('open')) as Checkpoint[];
  } finally {
    db.close();
  }
}

const batch = (n: number, seed: number) => ({ input: { type: 'float32', data: featureRows(n, seed), dims: [n, 4] } });

describe('checkpoints and recovery', () => {
  test('a window checkpointed before the worker died is recovered, closed and queued on the next start', async () => {
    const modelId = freshModelId('crash');
    const worker = new Worker(new URL('../../src/edge/default-worker.ts', import.meta.url), { type: 'module' });
    const first = await createMonitor({ model, modelId, modelVersion: '1', checkpointEvery: 0, window: ONE_WINDOW }, { worker });
    await first.predict(batch(5, 1));
    await first.predict(batch(6, 2));
    const saved = await waitFor(async () => (await checkpoints(modelId)).find((c) => c.events === 11), 'the checkpoint');
    worker.terminate(); // a crash: nothing is closed or flushed

    const second = await createMonitor({ model, modelId, modelVersion: '1', window: ONE_WINDOW });
    try {
      const [entry, ...rest] = await second.outbox();
      expect(rest).toEqual([]);
      expect(entry.windowStart).toBe(saved.windowStart);
      const p = await decode(entry.bytes);
      expect(p.summary('input.0').count).toBe(11);
      expect(p.summary('health.latency_ms').count).toBe(2);
      expect(p.meta.windowStart).toBe(String(saved.windowStart));
      p.dispose();
      expect(await checkpoints(modelId)).toEqual([]);
    } finally {
      await second.close();
    }
  });

  test('the open window of an instance that is still running is not recovered by another', async () => {
    const modelId = freshModelId('tabs');
    // Windows of 3 and 2 rows, each to be seen as it is: none is held back for being short.
    const privacy = { mode: 'off', minRowsPerWindow: 1 } as const;
    const a = await createMonitor({ model, modelId, modelVersion: '1', checkpointEvery: 0, window: ONE_WINDOW, privacy });
    await a.predict(batch(3, 3));
    await waitFor(async () => (await checkpoints(modelId)).length === 1, 'a checkpoint');
    const b = await createMonitor({ model, modelId, modelVersion: '1', window: ONE_WINDOW, privacy });
    try {
      expect(await b.outbox()).toEqual([]);
      expect((await checkpoints(modelId)).map((c) => c.instanceId)).toEqual([a.instanceId]);
      await b.predict(batch(2, 4));
      await a.flush();
      await b.flush();
      const counts = await Promise.all((await a.outbox()).map(async (e) => (await decode(e.bytes)).summary('input.0').count));
      expect(counts.sort()).toEqual([2, 3]); // both tabs' windows, in the one shared outbox
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('storage failures', () => {
  test('quota exhaustion degrades to memory with a warning and monitoring goes on', async () => {
    const modelId = freshModelId('quota');
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => void warnings.push(a.map(String).join(' '));
    const core = await loadCore();
    // A storage bucket with a 1-byte quota: Chromium enforces it on every write. The store opens
    // its database through the page's indexedDB, pointed at the bucket for this test.
    const bucket = await (navigator as unknown as StorageBucketsNavigator).storageBuckets.open(`quota${Date.now()}`, { quota: 1 });
    const own = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    Object.defineProperty(globalThis, 'indexedDB', { value: bucket.indexedDB, configurable: true });
    const store = await openStore(modelId);
    Object.defineProperty(globalThis, 'indexedDB', own);
    expect(store.kind).toBe('indexeddb'); // opening works; writing does not
    const engine = await MonitorEngine.start(resolveOptions({ modelId, modelVersion: '1', checkpointEvery: 0, window: ONE_WINDOW }), {
      core,
      store,
    });
    try {
      const big = { type: 'float32', data: featureRows(2000, 9), dims: [2000, 4] };
      const probs = { type: 'float32', data: new Float32Array(2000 * 3).fill(1 / 3), dims: [2000, 3] };
      engine.record({ input: big }, { probabilities: probs }, { latencyMs: 1, provider: 'wasm' });
      await engine.flush();
      expect(store.kind).toBe('memory');
      expect(warnings.some((w) => /IndexedDB failed.*in memory.*QuotaExceededError/.test(w))).toBe(true);
      const [entry] = await engine.outbox();
      const p = await decode(entry.bytes);
      expect(p.summary('input.0').count).toBe(2000);
      p.dispose();
    } finally {
      console.warn = warn;
      await engine.close();
    }
  });
});

interface StorageBucketsNavigator {
  storageBuckets: { open(name: string, options: { quota: number }): Promise<{ indexedDB: IDBFactory }> };
}
