// Gathering small calls into batches must not change what is recorded: a window fed 1,000
// batch-1 calls, some batch-64 calls and a call of another shape summarizes exactly like the
// same rows handed to the core at once.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { MemoryStore } from '../../src/edge/store.ts';
import { featureRows } from './helpers.ts';

test('batched recording equals recording everything at once', async () => {
  const core = await loadCore();
  const clock = { now: Date.UTC(2026, 6, 1, 9, 0, 5) };
  const engine = await MonitorEngine.start(resolveOptions({ modelId: 'batching', modelVersion: '1', features: ['a', 'b', 'c', 'd'] }), {
    core,
    store: new MemoryStore(),
    now: () => clock.now,
  });
  const all: Float32Array[] = [];
  const probs: Float32Array[] = [];
  const call = (n: number, seed: number) => {
    const x = featureRows(n, seed);
    const p = new Float32Array(n * 3).map((_, i) => ((i * 7 + seed) % 10) / 10);
    all.push(x.slice());
    probs.push(p.slice());
    engine.record({ input: { type: 'float32', data: x, dims: [n, 4] } }, { probabilities: { type: 'float32', data: p, dims: [n, 3] } }, { latencyMs: seed % 5, provider: 'wasm' });
    x.fill(-1); // the app reuses its buffers at once: what was recorded must be a copy
    p.fill(-1);
  };
  for (let i = 0; i < 1000; i++) call(1, i);
  for (let i = 0; i < 5; i++) call(64, 2000 + i);
  await engine.flush();
  const [entry] = await engine.outbox();
  const got = core.profileFromBytes(entry.bytes);

  const want = core.profile({ columns: got.schema().columns });
  const rows = all.reduce((n, a) => n + a.length / 4, 0);
  const x = new Float32Array(rows * 4);
  let at = 0;
  for (const a of all) (x.set(a, at), (at += a.length));
  want.recordTable(x, ['a', 'b', 'c', 'd']);
  const p = new Float32Array(rows * 3);
  at = 0;
  for (const a of probs) (p.set(a, at), (at += a.length));
  want.recordTable(p, ['probabilities.score.0', 'probabilities.score.1', 'probabilities.score.2']);

  for (const name of ['a', 'b', 'c', 'd', 'probabilities.score.0', 'probabilities.score.2']) {
    // Buckets, counts and extremes are exact; sums and moments agree up to the order of additions.
    const { sum: s1, mean: m1, variance: v1, ...g } = got.summary(name) as { sum: number; mean: number; variance: number };
    const { sum: s2, mean: m2, variance: v2, ...w } = want.summary(name) as { sum: number; mean: number; variance: number };
    expect(g).toEqual(w);
    for (const [a, b] of [[s1, s2], [m1, m2], [v1, v2]]) expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
  }
  expect(got.summary('health.latency_ms').count).toBe(1005);
  expect(got.summary('probabilities.predicted').count).toBe(rows);
  got.dispose();
  want.dispose();
  await engine.close();
});
