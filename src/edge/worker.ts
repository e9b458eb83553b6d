// The monitor's worker: owns the onnxruntime-web session and the core, runs inference and
// records it; the page reaches it through comlink and transfers tensor buffers both ways.
// exposeMonitorWorker() is what a worker script calls: default-worker.ts for the bundled worker,
// an app's own script (`edgewatch/worker`) when it needs another onnxruntime-web build.
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import { loadCore } from '../core/index.ts';
import { MonitorEngine, type EngineStatus } from './engine.ts';
import type { ResolvedOptions, TensorLike, Tensors } from './options.ts';
import { configureOrt, createSession, describeSession, type OrtModule } from './ort-session.ts';
import { failureKind } from './failures.ts';
import type { OutboxEntry } from './store.ts';
import { transferables } from './tensors.ts';
import type { Sealer } from './engine.ts';

export interface PredictResult {
  outputs: Tensors;
  predictionId: string;
  latencyMs: number;
}

/** The onnxruntime-web module the worker runs models with: the module itself or a loader of it. */
export type OrtSource = OrtModule | (() => Promise<OrtModule | { default: OrtModule }>);

export interface MonitorWorkerRuntime {
  /** Needed only for monitors given a model: e.g. `() => import('onnxruntime-web/webgpu')`. */
  ort?: OrtSource;
  /**
   * Needed only in the secure privacy mode: `sealWindow` from 'edgewatch/worker' (it brings the
   * HPKE library, which no other monitor needs; the bundled secure-worker.ts passes it).
   */
  seal?: Sealer;
}

export class MonitorWorker {
  readonly #runtime: MonitorWorkerRuntime;
  #ort!: OrtModule;
  #session: Ort.InferenceSession | null = null;
  #provider = 'wasm';
  #engine!: MonitorEngine;

  constructor(runtime: MonitorWorkerRuntime = {}) {
    this.#runtime = runtime;
  }

  async init(
    o: ResolvedOptions,
    model: string | Uint8Array | null,
    onOutbox?: (entries: { uploadId: string; bytes: Uint8Array }[]) => void,
  ): Promise<{ instanceId: string; provider: string | null }> {
    const core = await loadCore(o.coreWasm === undefined ? {} : { wasm: o.coreWasm });
    let description: ReturnType<typeof describeSession> | undefined;
    if (model !== null) {
      const providers = o.executionProviders ?? ['wasm'];
      const url = o.ort?.module;
      const source = url === undefined ? this.#runtime.ort : () => import(/* @vite-ignore */ /* webpackIgnore: true */ url);
      this.#ort = configureOrt(await resolveOrt(source), o.ort);
      const s = await createSession(this.#ort, model, providers, o.ort?.sessionOptions);
      this.#session = s.session;
      this.#provider = s.provider;
      description = describeSession(s.session);
    }
    const mirror =
      onOutbox &&
      ((entries: OutboxEntry[]) => void onOutbox(entries.filter((e) => !e.held).map(({ uploadId, bytes }) => ({ uploadId, bytes }))));
    this.#engine = await MonitorEngine.start(o, { core, onOutbox: mirror, seal: this.#runtime.seal }, description);
    return { instanceId: this.#engine.instanceId, provider: this.#session ? this.#provider : null };
  }

  async predict(feeds: Tensors): Promise<PredictResult> {
    if (!this.#session) throw new Error('edgewatch: this monitor has no model; use observe()');
    const ort = this.#ort;
    const t0 = performance.now();
    let outputs: Ort.InferenceSession.OnnxValueMapType;
    try {
      const input: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds))
        input[name] = new ort.Tensor(t.type as Ort.Tensor.Type, t.data as Ort.Tensor.DataType, t.dims);
      outputs = await this.#session.run(input);
    } catch (err) {
      this.#engine.recordFailure(failureKind(err), { latencyMs: performance.now() - t0, provider: this.#provider });
      throw err;
    }
    const latencyMs = performance.now() - t0;
    const plain: Tensors = {};
    for (const [name, v] of Object.entries(outputs)) plain[name] = { type: v.type, data: v.data as TensorLike['data'], dims: v.dims };
    let predictionId = '';
    try {
      predictionId = this.#engine.record(feeds, plain, { latencyMs, provider: this.#provider });
    } catch (err) {
      // Monitoring never breaks inference: the app gets its outputs, the failure is counted.
      console.warn(`edgewatch: could not record a prediction (${(err as Error).message})`);
      this.#engine.recordFailure('recording');
    }
    return Comlink.transfer({ outputs: plain, predictionId, latencyMs }, transferables(plain));
  }

  observe(inputs: Tensors, outputs: Tensors, latencyMs?: number, provider?: string): string {
    return this.#engine.record(inputs, outputs, { latencyMs, provider });
  }

  failure(kind: string, latencyMs?: number): void {
    this.#engine.recordFailure(failureKind(kind), { latencyMs });
  }

  feedback(predictionId: string, labels: string | number | (string | number)[]): boolean {
    return this.#engine.feedback(predictionId, labels);
  }

  checkpoint(): Promise<void> {
    return this.#engine.checkpoint();
  }

  flush(): Promise<void> {
    return this.#engine.flush();
  }

  setOnline(online: boolean): void {
    this.#engine.setOnline(online);
  }

  status(): Promise<EngineStatus> {
    return this.#engine.status();
  }

  async outbox(): Promise<{ uploadId: string; bytes: Uint8Array; windowStart: number; windowEnd: number; attempts: number }[]> {
    return (await this.#engine.outbox()).map(({ uploadId, bytes, windowStart, windowEnd, attempts }) => ({
      uploadId,
      bytes,
      windowStart,
      windowEnd,
      attempts,
    }));
  }

  async close(): Promise<void> {
    await this.#engine?.close();
    await this.#session?.release();
  }
}

/** Serves a monitor from this worker: call it once, at the top of the worker's script. */
export function exposeMonitorWorker(runtime: MonitorWorkerRuntime = {}): void {
  Comlink.expose(new MonitorWorker(runtime));
}

async function resolveOrt(source: MonitorWorkerRuntime['ort']): Promise<OrtModule> {
  if (source === undefined) {
    throw new Error('edgewatch: this worker has no onnxruntime-web to run a model with; pass { ort } to exposeMonitorWorker()');
  }
  if (typeof source !== 'function') return source;
  const loaded = await source();
  return 'InferenceSession' in loaded ? loaded : loaded.default;
}

export { sealWindow } from './seal.ts';
