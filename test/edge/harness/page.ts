// The page the Chromium tests drive: the edge runtime and the fixture model, on window.edge.
import { createMonitor, type Monitor } from '../../../src/edge/index.ts';
import { buildClassifier, churnClassifier } from '../../fixtures/onnx/build-model.ts';
import { featureRows } from '../helpers.ts';
import * as Comlink from 'comlink';
import type { BenchWorker } from './bench.worker.ts';
import { interleave, type VariantTiming } from './interleave.ts';
import { transferables } from '../../../src/edge/tensors.ts';

const monitors: Record<string, Monitor> = {};

/** A worker that measures monitoring overhead next to the bare session (bench/edge-overhead.ts). */
function benchWorker(): Comlink.Remote<BenchWorker> {
  return Comlink.wrap<BenchWorker>(new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' }));
}

/**
 * Runs `calls` predictions through a monitor while timing the page's event loop: the longest gap
 * between two turns of the page's own loop is the longest task the main thread saw.
 */
async function mainThreadDuring(calls: number, batch: number): Promise<{ longestGapMs: number; longTasks: number; totalMs: number }> {
  const monitor = await createMonitor({ model: buildClassifier(churnClassifier), modelId: `bench-main-${Date.now()}`, modelVersion: '1' });
  let longTasks = 0;
  const observer = new PerformanceObserver((list) => (longTasks += list.getEntries().length));
  observer.observe({ type: 'longtask', buffered: false });
  let longest = 0;
  let last = performance.now();
  let running = true;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) channel.port2.postMessage(0);
  };
  channel.port2.postMessage(0);
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    await monitor.predict({ input: { type: 'float32', data: featureRows(batch, i), dims: [batch, 4] } });
  }
  const totalMs = performance.now() - t0;
  running = false;
  observer.disconnect();
  await monitor.close();
  return { longestGapMs: longest, longTasks, totalMs };
}

/**
 * What an app sees: `monitor.predict` (the model and the recording in the monitor's worker) versus
 * the same round trip to a worker that only runs the model (bench.worker.ts's runBare), both from
 * this page, interleaved. A second bare worker is the control: the same work in another worker,
 * whose difference from the first is what worker placement and the machine alone make. Each call
 * sends fresh input buffers (they are transferred).
 */
async function predictOverhead(
  model: Uint8Array,
  shape: { features: number },
  batch: number,
  calls: number,
  warmup: number,
): Promise<Record<string, VariantTiming>> {
  const monitor = await createMonitor({
    model: model.slice(),
    modelId: `bench-predict-${Date.now()}-${batch}`,
    modelVersion: '1',
    checkpointEvery: 5000,
  });
  const workers = [0, 1].map(() => new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' }));
  const [bare, control] = workers.map((w) => Comlink.wrap<BenchWorker>(w));
  await bare.openBare(model.slice());
  await control.openBare(model.slice());
  const template = new Float32Array(batch * shape.features).map((_, i) => (i % 7) - 3);
  const feeds = () => ({ input: { type: 'float32', data: template.slice(), dims: [batch, shape.features] } });
  try {
    return await interleave(
      {
        bare: () => {
          const f = feeds();
          return bare.runBare(Comlink.transfer(f, transferables(f)));
        },
        control: () => {
          const f = feeds();
          return control.runBare(Comlink.transfer(f, transferables(f)));
        },
        monitored: () => monitor.predict(feeds()),
      },
      calls,
      warmup,
    );
  } finally {
    await monitor.close();
    for (const w of [bare, control]) await w.closeBare();
    for (const w of workers) w.terminate();
  }
}

Object.assign(window, {
  edge: {
    createMonitor,
    model: () => buildClassifier(churnClassifier),
    featureRows,
    monitors,
    benchWorker,
    mainThreadDuring,
    predictOverhead,
  },
  edgeReady: true,
});
