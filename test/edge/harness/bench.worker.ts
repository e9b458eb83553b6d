// Measures, inside a worker, what monitoring adds to one inference: instrument()'s run versus the
// bare session.run on the same session, calls interleaved so both see the same machine state.
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/wasm';
import { instrument } from '../../../src/edge/index.ts';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

const api = {
  async overhead(model: Uint8Array, batch: number, calls: number): Promise<{ bare: number; monitored: number; p90bare: number; p90monitored: number }> {
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const monitored = await instrument(session, { modelId: `bench-${Date.now()}-${batch}`, modelVersion: '1', checkpointEvery: 5000 });
    const data = new Float32Array(batch * 4).map((_, i) => (i % 7) - 3);
    const feeds = { input: new ort.Tensor('float32', data, [batch, 4]) };
    for (let i = 0; i < 200; i++) {
      await session.run(feeds);
      await monitored.run(feeds);
    }
    // Timed in blocks of BLOCK calls (the clock's resolution is coarse without cross-origin
    // isolation); blocks alternate between bare and monitored, and which goes first.
    const BLOCK = 20;
    const bare: number[] = [];
    const mon: number[] = [];
    for (let b = 0; b < Math.ceil(calls / BLOCK); b++) {
      const order = b % 2 === 0 ? [false, true] : [true, false];
      for (const withMonitor of order) {
        const t0 = performance.now();
        for (let i = 0; i < BLOCK; i++) await (withMonitor ? monitored.run(feeds) : session.run(feeds));
        (withMonitor ? mon : bare).push((performance.now() - t0) / BLOCK);
      }
    }
    await monitored.close();
    await session.release();
    const p90 = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
    return { bare: median(bare), monitored: median(mon), p90bare: p90(bare), p90monitored: p90(mon) };
  },
};

export type BenchWorker = typeof api;
Comlink.expose(api);
