// The monitor's worker: owns the onnxruntime-web session and the core, runs inference and
// records it; the page reaches it through comlink and transfers tensor buffers both ways.
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import { loadCore } from '../core/index.ts';
import { MonitorEngine, type EngineStatus } from './engine.ts';
import type { ResolvedOptions, TensorLike, Tensors } from './options.ts';
import { createSession, describeSession, loadOrt, type OrtModule } from './ort-session.ts';
import { failureKind } from './failures.ts';
import type { OutboxEntry } from './store.ts';
import { transferables } from './tensors.ts';

export interface PredictResult {
  outputs: Tensors;
  predictionId: string;
  latencyMs: number;
}

export class MonitorWorker {
  #ort!: OrtModule;
  #session: Ort.InferenceSession | null = null;
  #provider = 'wasm';
  #engine!: MonitorEngine;

  async init(
    o: ResolvedOptions,
    model: string | Uint8Array | null,
    onOutbox?: (entries: { uploadId: string; bytes: Uint8Array }[]) => void,
  ): Promise<{ instanceId: string; provider: string | null }> {
    const core = await loadCore();
    let description;
    if (model !== null) {
      const providers = o.executionProviders ?? ['wasm'];
      this.#ort = await loadOrt(providers);
      const s = await createSession(this.#ort, model, providers);
      this.#session = s.session;
      this.#provider = s.provider;
      description = describeSession(s.session);
    }
    const mirror = onOutbox && ((entries: OutboxEntry[]) => void onOutbox(entries.map(({ uploadId, bytes }) => ({ uploadId, bytes }))));
    this.#engine = await MonitorEngine.start(o, { core, onOutbox: mirror }, description);
    return { instanceId: this.#engine.instanceId, provider: this.#session ? this.#provider : null };
  }

  async predict(feeds: Tensors): Promise<PredictResult> {
    if (!this.#session) throw new Error('edgewatch: this monitor has no model; use observe()');
    const ort = this.#ort;
    const t0 = performance.now();
    let outputs: Ort.InferenceSession.OnnxValueMapType;
    try {
      const input: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor(t.type as Ort.Tensor.Type, t.data as Ort.Tensor.DataType, t.dims);
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
    return (await this.#engine.outbox()).map(({ uploadId, bytes, windowStart, windowEnd, attempts }) => ({ uploadId, bytes, windowStart, windowEnd, attempts }));
  }

  async close(): Promise<void> {
    await this.#engine?.close();
    await this.#session?.release();
  }
}

Comlink.expose(new MonitorWorker());
