// Measures, inside a worker, what monitoring adds to one inference: instrument()'s run versus the
// bare session.run on the same session, calls interleaved so both see the same machine state,
// with bare session.run a second time as the control (the noise floor of the comparison).
// Steps in between can be timed too, so that a cost can be placed and not only seen: the wrapper
// alone (timing, an extra async hop, nothing recorded), the same plus the outputs → id map, the
// same plus copying the call's values into reused buffers (the floor of any buffered recording).
// It also serves the bare side of the round-trip measurement: a worker that runs the model for
// the page exactly as the monitor's worker does, minus the recording.
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/wasm';
import { instrument } from '../../../src/edge/index.ts';
import type { TensorLike, Tensors } from '../../../src/edge/options.ts';
import { transferables } from '../../../src/edge/tensors.ts';
import { interleave, type VariantTiming } from './interleave.ts';

export type { VariantTiming } from './interleave.ts';

type Run = (feeds: ort.InferenceSession.FeedsType) => Promise<ort.InferenceSession.ReturnType>;

export const VARIANTS = ['bare', 'control', 'wrapper', 'wrapper+ids', 'wrapper+copy', 'monitored'] as const;

let bareSession: ort.InferenceSession | null = null;

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
      // The same call again: what the machine alone makes of two identical variants.
      control: (f) => session.run(f),
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
    const out = await interleave(Object.fromEntries(variants.map((v) => [v, () => runs[v](feeds)])), calls, warmup);
    await monitored.close();
    await session.release();
    if (latency < 0) throw new Error('clock went backwards'); // keeps the wrappers' work observable
    return out;
  },

  /** The bare worker: loads the model the way the monitor's worker does (wasm, one thread). */
  async openBare(model: Uint8Array): Promise<void> {
    ort.env.wasm.numThreads = 1;
    await bareSession?.release();
    bareSession = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  },

  /** MonitorWorker.predict without the recording: tensors in, session.run, outputs transferred back. */
  async runBare(feeds: Tensors): Promise<{ outputs: Tensors; latencyMs: number }> {
    const t0 = performance.now();
    const input: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      input[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
    const outputs = await bareSession!.run(input);
    const latencyMs = performance.now() - t0;
    const plain: Tensors = {};
    for (const [name, v] of Object.entries(outputs)) plain[name] = { type: v.type, data: v.data as TensorLike['data'], dims: v.dims };
    return Comlink.transfer({ outputs: plain, latencyMs }, transferables(plain));
  },

  async closeBare(): Promise<void> {
    await bareSession?.release();
    bareSession = null;
  },
};

export type BenchWorker = typeof api;
Comlink.expose(api);
