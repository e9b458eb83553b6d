// The private mode's contribution bound is a uniform sample of the window's events, not its first
// ones: a window whose data shifts half-way uploads both halves in proportion, and never more
// than maxRowsPerWindow events. Checked on the uploaded payload itself, with ε so large that the
// noise scale b = 2·C·k/ε is ~1e-6 and every noise draw is exactly 0 (q = e^(−1/b) underflows).
//
// Statistics: k of N events are kept; the number kept from a half of size N/2 is
// hypergeometric(N, N/2, k), mean k/2, sd σ = √(k·¼·(N−k)/(N−1)). Each check allows 5.3σ,
// a two-sided normal tail of 1.2e-7, so the whole file fails by chance with probability < 1e-6.
// Keeping the first k events (the old bound) would put all k in the first half: ≥ 14σ away.
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { createMonitor } from '../../src/edge/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions, type Grid, type MonitorOptions } from '../../src/edge/options.ts';
import { openStore } from '../../src/edge/store.ts';
import { buildClassifier, churnClassifier } from '../fixtures/onnx/build-model.ts';
import { decode, featureRows, freshModelId } from './helpers.ts';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const ONE_WINDOW = 8192 * 86_400_000; // whole days, as the private mode needs: 2014–2037
const NOISELESS = { mode: 'dp', epsilon: 1e9, dailyEpsilon: 1e13 } as const; // every 1-minute slot may leave
const Z = 5.3;

/** x ≤ 0.5 lands in bin 0, x > 0.5 in bin 1 (right-closed bins). */
const halfGrid: Grid = { columns: { 'x.0': { edges: [0.5] } } };

function sigma(n: number, k: number): number {
  return Math.sqrt((k * 0.25 * (n - k)) / (n - 1));
}

async function engine(options: Partial<MonitorOptions>, clock: { now: number }) {
  const modelId = freshModelId('sample');
  return MonitorEngine.start(resolveOptions({ modelId, modelVersion: '1', window: 60_000, ...options }), {
    core: await loadCore(),
    store: await openStore(modelId),
    now: () => clock.now,
  });
}

/** One call of `rows` rows whose single feature is x. */
function call(rows: number, x: number) {
  return [
    { x: { type: 'float32', data: new Float32Array(rows).fill(x), dims: [rows, 1] } },
    { y: { type: 'float32', data: new Float32Array(rows), dims: [rows, 1] } },
  ] as const;
}

describe('private-mode sample', () => {
  test('a window that shifts half-way uploads both halves in proportion, never more than the bound', async () => {
    const k = 200;
    const n = 20_000;
    const windows = 5;
    const clock = { now: T0 };
    const e = await engine({ privacy: { ...NOISELESS, maxRowsPerWindow: k, grid: halfGrid } }, clock);
    for (let w = 0; w < windows; w++) {
      clock.now = T0 + w * 60_000;
      // Calls of mixed sizes (batches and single rows): the first half low, the second half high.
      for (let i = 0; i < n; ) {
        const rows = i % 1000 === 0 ? 1 : 37;
        const take = Math.min(rows, n / 2 - (i % (n / 2)));
        e.record(...call(take, i < n / 2 ? 0 : 1), { latencyMs: 1, provider: 'wasm' });
        i += take;
      }
      expect((await e.status()).clippedThisWindow).toBe(n - k);
    }
    await e.flush();
    const entries = await e.outbox();
    expect(entries).toHaveLength(windows);
    let lowTotal = 0;
    for (const entry of entries) {
      const p = await decode(entry.bytes);
      const x = p.summary('x.0');
      if (x.kind === 'categorical') throw new Error('grid expected');
      expect(x.noisy).toBe(true);
      const [low, high] = x.counts!;
      expect(low + high).toBe(k); // exactly the bound: every noise draw is 0 here
      expect(Math.abs(low - k / 2)).toBeLessThan(Z * sigma(n, k));
      lowTotal += low;
      // Latency rides on a call's first row: at most one value per kept row.
      expect(p.summary('health.latency_ms').count).toBeLessThanOrEqual(k);
      p.dispose();
    }
    // Pooled over the windows (independent samples): mean windows·k/2, variance windows·σ².
    expect(Math.abs(lowTotal - (windows * k) / 2)).toBeLessThan(Z * Math.sqrt(windows) * sigma(n, k));
    await e.close();
  });

  test('rows and failures share one sample: both in proportion, together at most the bound', async () => {
    const k = 100;
    const n = 4_000;
    const clock = { now: T0 };
    const e = await engine({ privacy: { ...NOISELESS, maxRowsPerWindow: k, grid: halfGrid } }, clock);
    for (let i = 0; i < n / 2; i += 50) e.record(...call(50, 0));
    for (let i = 0; i < n / 2; i++) e.recordFailure('inference');
    await e.flush();
    const [entry] = await e.outbox();
    const p = await decode(entry.bytes);
    const rows = p.summary('x.0').count;
    const failures = p.summary('health.failure');
    if (failures.kind !== 'categorical') throw new Error('categorical expected');
    const failed = failures.items.find((i) => i.value === 'inference')?.count ?? 0;
    expect(rows + failed).toBe(k);
    expect(Math.abs(rows - k / 2)).toBeLessThan(Z * sigma(n, k));
    p.dispose();
    await e.close();
  });

  test('the checkpoint holds the sample so far, bounded', async () => {
    const clock = { now: T0 };
    const modelId = freshModelId('sample');
    const store = await openStore(modelId);
    const e = await MonitorEngine.start(
      resolveOptions({
        modelId,
        modelVersion: '1',
        privacy: { ...NOISELESS, maxRowsPerWindow: 30, grid: halfGrid },
      }),
      { core: await loadCore(), store, now: () => clock.now },
    );
    for (let i = 0; i < 10; i++) e.record(...call(10, i < 5 ? 0 : 1));
    await e.checkpoint();
    const [saved] = await store.checkpoints();
    expect(saved.events).toBe(30);
    const p = await decode(saved.bytes); // not noised yet: the raw sample
    expect(p.summary('x.0').count).toBe(30);
    p.dispose();
    await e.close();
  });

  test('through the worker: a real model whose inputs shift half-way', async () => {
    const k = 100;
    const calls = 40;
    const batch = 50;
    const ageEdges = [45];
    const monitor = await createMonitor({
      model: buildClassifier(churnClassifier),
      modelId: freshModelId('sample-worker'),
      modelVersion: '1',
      window: ONE_WINDOW,
      features: ['age', 'usage', 'tickets', 'trend'],
      privacy: { ...NOISELESS, maxRowsPerWindow: k, grid: { columns: { age: { edges: ageEdges } } } },
    });
    try {
      for (let c = 0; c < calls; c++) {
        const data = featureRows(batch, c + 1);
        for (let r = 0; r < batch; r++) data[r * 4] = c < calls / 2 ? 30 : 60;
        await monitor.predict({ input: { type: 'float32', data, dims: [batch, 4] } });
      }
      expect((await monitor.status()).clippedThisWindow).toBe(calls * batch - k);
      await monitor.flush();
      const [entry] = await monitor.outbox();
      const p = await decode(entry.bytes);
      const age = p.summary('age');
      if (age.kind === 'categorical') throw new Error('grid expected');
      const [young, old] = age.counts!;
      expect(young + old).toBe(k);
      expect(Math.abs(young - k / 2)).toBeLessThan(Z * sigma(calls * batch, k));
      expect(p.summary(p.columnNames.find((c) => c.endsWith('.confidence'))!).count).toBe(k);
      p.dispose();
    } finally {
      await monitor.close();
    }
  });
});
