// A real model through onnxruntime-web's wasm backend in a worker, recorded by the real core,
// closed into the real IndexedDB outbox; the recorded sketches are checked against the raw data.
import { afterEach, describe, expect, test } from 'vitest';
import { createMonitor, type Monitor } from '../../src/edge/index.ts';
import { buildClassifier, churnClassifier, classifierReference } from '../fixtures/onnx/build-model.ts';
import { decode, featureRows, freshModelId } from './helpers.ts';

/** One window for the whole test: a wall-clock window boundary cannot split what it records. */
const ONE_WINDOW = 2 ** 40;

const features = ['age', 'usage', 'tickets', 'trend'];
let monitor: Monitor | undefined;
afterEach(async () => {
  await monitor?.close();
  monitor = undefined;
});

describe('createMonitor in a worker', () => {
  test('runs the model and records inputs, outputs and health into one window', async () => {
    monitor = await createMonitor({
      model: buildClassifier(churnClassifier),
      modelId: freshModelId('churn'),
      modelVersion: '3.1.0',
      features,
      classes: ['stay', 'downgrade', 'leave'],
      segment: { appVersion: '5.2', region: 'eu' },
    });
    expect(monitor.provider).toBe('wasm');

    const batches = [1, 7, 64, 3];
    const all: Float32Array[] = [];
    let seed = 10;
    for (const n of batches) {
      const rows = featureRows(n, seed++);
      all.push(rows.slice());
      const out = await monitor.predict({ input: { type: 'float32', data: rows, dims: [n, 4] } });
      expect(rows.byteLength).toBe(0); // transferred, not copied
      const probs = out.outputs.probabilities;
      expect(probs.dims).toEqual([n, 3]);
      const expected = Array.from(all.at(-1)!.subarray(0, 4), Number);
      classifierReference(churnClassifier, expected).forEach((p, c) => expect((probs.data as Float32Array)[c]).toBeCloseTo(p, 5));
      expect(out.predictionId).toMatch(/^[0-9a-f-]{36}$/);
    }
    await monitor.flush();
    // One window, or two if the test straddled a minute boundary: check each, then add them up.
    const entries = await monitor.outbox();
    expect(entries.length === 1 || entries.length === 2).toBe(true);
    const parts = await Promise.all(entries.map((e) => decode(e.bytes)));
    parts.forEach((part, i) => {
      const meta = part.meta;
      expect(meta.model).toMatch(/^churn-/);
      expect(meta.modelVersion).toBe('3.1.0');
      expect(JSON.parse(meta.segment)).toEqual({ appVersion: '5.2', region: 'eu' });
      expect(Number(meta.windowEnd) - Number(meta.windowStart)).toBe(60_000);
      expect(Number(meta.windowStart) % 60_000).toBe(0);
      expect(meta.uploadId).toBe(entries[i].uploadId);
      expect(JSON.parse(meta.privacy)).toEqual({ mode: 'off' });
      expect(meta.dropped).toBe('0');
      expect(meta.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    });
    const p = parts[0];
    for (const part of parts.slice(1)) {
      p.merge(part);
      part.dispose();
    }

    // Inputs: exact counts, sums and extremes against the raw rows.
    const raw = all.flatMap((a) => Array.from(a));
    const total = batches.reduce((a, b) => a + b, 0);
    features.forEach((name, j) => {
      const col = raw.filter((_, i) => i % 4 === j);
      const s = p.summary(name);
      expect(s.count).toBe(total);
      if (s.kind === 'categorical') throw new Error('numeric expected');
      expect(s.min).toBe(Math.min(...col));
      expect(s.max).toBe(Math.max(...col));
      expect(s.sum).toBeCloseTo(
        col.reduce((a, b) => a + b, 0),
        6,
      );
    });

    // Outputs: predicted-class counts equal the argmax of the reference model.
    const predicted = new Map<string, number>();
    const confidences: number[] = [];
    for (let i = 0; i < total; i++) {
      const probs = classifierReference(churnClassifier, raw.slice(i * 4, i * 4 + 4));
      const best = probs.indexOf(Math.max(...probs));
      const label = ['stay', 'downgrade', 'leave'][best];
      predicted.set(label, (predicted.get(label) ?? 0) + 1);
      confidences.push(probs[best]);
    }
    const pred = p.summary('probabilities.predicted');
    if (pred.kind !== 'categorical') throw new Error('categorical expected');
    for (const { value, count } of pred.items) expect(count).toBe(predicted.get(value) ?? 0);
    const conf = p.summary('probabilities.confidence');
    if (conf.kind === 'categorical') throw new Error('grid expected');
    expect(conf.count).toBe(total);
    expect(conf.sum).toBeCloseTo(
      confidences.reduce((a, b) => a + b, 0),
      4,
    );
    expect(p.summary('probabilities.score.leave').count).toBe(total);

    // Health: one latency and one provider record per call, no failures.
    expect(p.summary('health.latency_ms').count).toBe(batches.length);
    const provider = p.summary('health.provider');
    if (provider.kind !== 'categorical') throw new Error('categorical expected');
    expect(provider.items.find((i) => i.value === 'wasm')?.count).toBe(batches.length);
    expect(p.summary('health.failure').count).toBe(0);
    p.dispose();
  });

  test('a failed inference is counted by kind and rethrown to the caller', async () => {
    monitor = await createMonitor({
      model: buildClassifier(churnClassifier),
      modelId: freshModelId('fail'),
      modelVersion: '1',
      window: ONE_WINDOW,
    });
    await monitor.predict({ input: { type: 'float32', data: featureRows(2), dims: [2, 4] } });
    await expect(monitor.predict({ input: { type: 'float32', data: new Float32Array(6), dims: [2, 3] } })).rejects.toThrow();
    await monitor.flush();
    const [entry] = await monitor.outbox();
    const p = await decode(entry.bytes);
    const failures = p.summary('health.failure');
    if (failures.kind !== 'categorical') throw new Error('categorical expected');
    expect(failures.items.find((i) => i.value === 'input')?.count).toBe(1);
    expect(p.summary('input.0').count).toBe(2);
    p.dispose();
  });

  test('a worker that cannot start is a clear error, not a wait forever', async () => {
    const options = { model: buildClassifier(churnClassifier), modelId: freshModelId('nostart'), modelVersion: '1' };
    const missing = new Worker('/no-such-edgewatch-worker.js', { type: 'module' });
    await expect(createMonitor(options, { worker: missing })).rejects.toThrow(/the monitor's worker did not start/);
    const throwing = new Worker(URL.createObjectURL(new Blob(["throw new Error('broken at load')"], { type: 'text/javascript' })));
    await expect(createMonitor(options, { worker: throwing })).rejects.toThrow(/did not start \(.*broken at load/);
  });
});
