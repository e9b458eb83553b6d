// createMonitor(): what a web page calls. The model runs in a worker next to the core; this side
// only moves tensors (transferring their buffers) and wires page events: going offline/online,
// and pagehide, when the outbox is flushed with keepalive requests.
import * as Comlink from 'comlink';
import type { EngineStatus } from './engine.ts';
import { resolveOptions, workerOptions, type MonitorOptions, type TensorLike, type Tensors } from './options.ts';
import { plainTensor, transferables } from './tensors.ts';
import { sendKeepalive } from './uploader.ts';
import type { MonitorWorker, PredictResult } from './worker.ts';

export interface Monitor {
  /** The instance id of the worker's engine (one per page load). */
  readonly instanceId: string;
  /** The execution provider that runs the model, or null without a model. */
  readonly provider: string | null;
  /** Runs the model in the worker and records the batch. Input buffers are transferred (detached here). */
  predict(feeds: Tensors): Promise<PredictResult>;
  /** Records a batch the app ran itself. Buffers are copied, so the app keeps them. */
  observe(inputs: Tensors, outputs: Tensors, extra?: { latencyMs?: number; provider?: string }): Promise<string>;
  /** Counts a failed inference of the app's own session. */
  observeFailure(kind: 'input' | 'inference' | 'output', latencyMs?: number): Promise<void>;
  /** Delayed ground truth for a prediction: one label per row of its batch. */
  feedback(predictionId: string, label: string | number | (string | number)[]): Promise<boolean>;
  flush(): Promise<void>;
  status(): Promise<EngineStatus>;
  /** Closed windows waiting for upload, exactly as they will be sent. */
  outbox(): Promise<Awaited<ReturnType<MonitorWorker['outbox']>>>;
  close(): Promise<void>;
}

export interface CreateMonitorExtras {
  /**
   * A worker to use instead of the bundled one: a script that calls exposeMonitorWorker() from
   * 'edgewatch/worker' (for another onnxruntime-web build, or a bundler that does not follow
   * `new Worker(new URL(…, import.meta.url))`).
   */
  worker?: Worker;
}

export async function createMonitor(options: MonitorOptions, extras: CreateMonitorExtras = {}): Promise<Monitor> {
  const o = resolveOptions(options);
  if (!extras.worker && o.ort?.module === undefined) {
    const module = importMapped('onnxruntime-web/wasm');
    if (module) o.ort = { ...o.ort, module };
  }
  // Two literal worker URLs, so bundlers emit both: only a secure-mode monitor fetches the one
  // that seals windows (with the HPKE library).
  const name = `edgewatch:${o.modelId}`;
  const worker =
    extras.worker ??
    (o.privacy.mode === 'secure'
      ? new Worker(new URL('./secure-worker.ts', import.meta.url), { type: 'module', name })
      : new Worker(new URL('./default-worker.ts', import.meta.url), { type: 'module', name }));
  const api = Comlink.wrap<MonitorWorker>(worker);
  let model: string | Uint8Array | null = null;
  if (o.model instanceof Uint8Array) model = o.model.slice();
  else if (o.model instanceof ArrayBuffer) model = new Uint8Array(o.model.slice(0));
  else if (o.model !== undefined) model = new URL(String(o.model), location.href).href; // the worker's base URL differs
  // The page mirrors the outbox: on pagehide there is no time to ask the worker or IndexedDB.
  let waiting: { uploadId: string; bytes: Uint8Array }[] = [];
  const mirror = Comlink.proxy((entries: typeof waiting) => void (waiting = entries));
  let info: { instanceId: string; provider: string | null };
  const start = watchStart(worker);
  try {
    const init = api.init(
      workerOptions(o, location.href),
      model === null || typeof model === 'string' ? model : Comlink.transfer(model, [model.buffer]),
      mirror,
    );
    info = await Promise.race([init, start.failed]);
  } catch (err) {
    worker.terminate();
    throw err;
  } finally {
    start.stop();
  }

  // pagehide: the worker may not live long enough; the page sends what waits with keepalive.
  const onPageHide = () => {
    void api.checkpoint();
    if (o.collector && navigator.onLine !== false) sendKeepalive(waiting, o.collector, o.apiKey);
  };
  const onOnline = () => void api.setOnline(true);
  const onOffline = () => void api.setOnline(false);
  addEventListener('pagehide', onPageHide);
  addEventListener('online', onOnline);
  addEventListener('offline', onOffline);
  if (navigator.onLine === false) onOffline();

  let closed = false;
  return {
    instanceId: info.instanceId,
    provider: info.provider,
    predict(feeds) {
      const plain = mapTensors(feeds, plainTensor);
      return api.predict(Comlink.transfer(plain, transferables(plain)));
    },
    observe(inputs, outputs, extra = {}) {
      return api.observe(mapTensors(inputs, plainTensor), mapTensors(outputs, plainTensor), extra.latencyMs, extra.provider);
    },
    observeFailure(kind, latencyMs) {
      return api.failure(kind, latencyMs);
    },
    feedback(predictionId, label) {
      return api.feedback(predictionId, label);
    },
    flush() {
      return api.flush();
    },
    status() {
      return api.status();
    },
    outbox() {
      return api.outbox();
    },
    async close() {
      if (closed) return;
      closed = true;
      removeEventListener('pagehide', onPageHide);
      removeEventListener('online', onOnline);
      removeEventListener('offline', onOffline);
      try {
        await api.close();
      } finally {
        api[Comlink.releaseProxy]();
        worker.terminate();
      }
    },
  };
}

/**
 * Where the page's import map sends a bare specifier, or undefined. A worker sees no import map,
 * so a page without a bundler tells the default worker where onnxruntime-web is. Bundled code has
 * no import map: resolving then throws, or the bundler left no `import.meta.resolve`.
 */
function importMapped(specifier: string): string | undefined {
  try {
    const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
    return typeof resolve === 'function' ? resolve(specifier) : undefined;
  } catch {
    return undefined;
  }
}

function mapTensors(t: Tensors, fn: (v: TensorLike) => TensorLike): Tensors {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, fn(v)]));
}

/**
 * `failed` rejects when the worker cannot start (its script not found, blocked by a content
 * security policy, or throwing as it loads): without it, a call to a worker that never runs waits
 * forever. `stop()` once started, so that later errors of the worker reach the console as usual.
 */
function watchStart(worker: Worker): { failed: Promise<never>; stop: () => void } {
  let onError = (_e: Event) => {};
  const failed = new Promise<never>((_, reject) => {
    onError = (e) => {
      e.preventDefault(); // reported here, as the rejection, not again as an uncaught error
      const why = e instanceof ErrorEvent && e.message ? e.message : 'its script could not be loaded';
      reject(new Error(`edgewatch: the monitor's worker did not start (${why})`));
    };
  });
  worker.addEventListener('error', onError);
  return { failed, stop: () => worker.removeEventListener('error', onError) };
}
