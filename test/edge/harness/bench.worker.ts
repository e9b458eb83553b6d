// Measures, inside a worker, what monitoring adds to one inference: instrument()'s run versus the
// bare session.run on the same session, calls interleaved so both see the same machine state.
// Steps in between can be timed too, so that a cost can be placed and not only seen: the wrapper
// alone (timing, an extra async hop, nothing recorded), the same plus the outputs → id map, the
// same plus copying the call's values into reused buffers (the floor of any buffered recording).
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/wasm';
import { instrument } from '../../../src/edge/index.ts';

export interface VariantTiming {
  /** Median over blocks of the mean per call, ms. */
  median: number;
  /** Mean per call over every timed call, ms: includes the rare costs (a full batch handed to the core, collection). */
  mean: number;
  /**
   * The fastest group of 256 consecutive calls (16 blocks), mean per call, ms. At batch 1 each
   * group holds exactly one full batch handed to the core, so that cost is in, amortized, while
   * the load from elsewhere on the machine (which swamps the mean) is least.
   */
  best256: number;
  p90: number;
  /** The fastest block's mean per call, ms: the least disturbed by other work on the machine. */
  best: number;
}

type Run = (feeds: ort.InferenceSession.FeedsType) => Promise<ort.InferenceSession.ReturnType>;

export const VARIANTS = ['bare', 'wrapper', 'wrapper+ids', 'wrapper+copy', 'monitored'] as const;

/** Calls per timed block: the clock is coarse (5 µs when cross-origin isolated, 100 µs otherwise). */
const BLOCK = 16;
/** Blocks per group of 256 calls (the recorder's batch). */
const GROUP = 256 / BLOCK;

const api = {
  /** `model` takes float `input` [batch, features] and returns `probabilities` [batch, classes]. */
  async overhead(
    model: Uint8Array,
    shape: { features: number; classes: number },
    batch: number,
    calls: number,
    warmup: number,
    variants: string[],
  ): Promise<Record<string, VariantTiming>> {
    const { features, classes } = shape;
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const monitored = await instrument(session, { modelId: `bench-${Date.now()}-${batch}`, modelVersion: '1', checkpointEvery: 5000 });
    const data = new Float32Array(batch * features).map((_, i) => (i % 7) - 3);
    const feeds = { input: new ort.Tensor('float32', data, [batch, features]) };
    let latency = 0;
    let n = 0;
    const ids = new WeakMap<object, number>();
    const copiedInputs = new Float32Array(batch * features * 256);
    const copiedScores = new Float32Array(batch * classes * 256);
    const runs: Record<string, Run> = {
      bare: (f) => session.run(f),
      wrapper: async (f) => {
        const t0 = performance.now();
        const out = await session.run(f, {});
        latency += performance.now() - t0;
        return out;
      },
      'wrapper+ids': async (f) => {
        const t0 = performance.now();
        const out = await session.run(f, {});
        latency += performance.now() - t0;
        ids.set(out, n++);
        return out;
      },
      'wrapper+copy': async (f) => {
        const t0 = performance.now();
        const out = await session.run(f, {});
        latency += performance.now() - t0;
        const row = n++ % 256;
        copiedInputs.set(f.input.data as Float32Array, row * batch * features);
        copiedScores.set(out.probabilities.data as Float32Array, row * batch * classes);
        return out;
      },
      monitored: (f) => monitored.run(f),
    };
    for (const v of variants) if (!runs[v]) throw new Error(`unknown variant '${v}'`);
    for (let i = 0; i < warmup; i++) for (const v of variants) await runs[v](feeds);
    // The variants take turns block by block, a different one first each round.
    const times: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
    for (let b = 0; b < Math.ceil(calls / BLOCK); b++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(b + k) % variants.length];
        const run = runs[v];
        const t0 = performance.now();
        for (let i = 0; i < BLOCK; i++) await run(feeds);
        times[v].push((performance.now() - t0) / BLOCK);
      }
    }
    await monitored.close();
    await session.release();
    if (latency < 0) throw new Error('clock went backwards'); // keeps the wrappers' work observable
    const out: Record<string, VariantTiming> = {};
    for (const v of variants) {
      const s = times[v].slice().sort((a, b) => a - b);
      const groups: number[] = [];
      for (let g = 0; g + GROUP <= times[v].length; g += GROUP) groups.push(times[v].slice(g, g + GROUP).reduce((a, b) => a + b, 0) / GROUP);
      groups.sort((a, b) => a - b);
      out[v] = {
        median: s[Math.floor((s.length - 1) / 2)],
        best256: groups[0],
        mean: s.reduce((a, b) => a + b, 0) / s.length,
        p90: s[Math.floor(s.length * 0.9)],
        best: s[0],
      };
    }
    return out;
  },
};

export type BenchWorker = typeof api;
Comlink.expose(api);
