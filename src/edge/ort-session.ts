// Creating the onnxruntime-web session: the first execution provider that works wins, so the
// provider that actually runs the model is known (and recorded with every inference).
import type * as Ort from 'onnxruntime-web';
import type { ValueInfo } from './schema.ts';

export type OrtModule = typeof Ort;

/** What the host sets of onnxruntime-web's runtime (`MonitorOptions.ort`). */
export interface OrtOptions {
  /**
   * URL of the onnxruntime-web ES module the worker loads instead of its own import of
   * `onnxruntime-web/wasm`: for pages without a bundler, where a worker sees no import map.
   * Default: where the page's import map sends `onnxruntime-web/wasm`, if it has one.
   */
  module?: string;
  /** `env.wasm.wasmPaths`: where onnxruntime-web's own .wasm/.mjs files are served. */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /** `env.wasm.numThreads`. Default: 1 without cross-origin isolation, else onnxruntime-web's. */
  numThreads?: number;
  /** `env.wasm.proxy`. The model already runs off the main thread, so rarely worth a second hop. */
  proxy?: boolean;
  /** Passed to `InferenceSession.create` (executionProviders comes from the monitor's option). */
  sessionOptions?: Omit<Ort.InferenceSession.SessionOptions, 'executionProviders'>;
}

export function configureOrt(ort: OrtModule, options: OrtOptions = {}): OrtModule {
  const wasm = ort.env.wasm;
  if (options.wasmPaths !== undefined) wasm.wasmPaths = options.wasmPaths;
  if (options.proxy !== undefined) wasm.proxy = options.proxy;
  // Threads need cross-origin isolation (SharedArrayBuffer); without it one thread is what works.
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (options.numThreads !== undefined) wasm.numThreads = isolated ? options.numThreads : 1;
  else if (!isolated) wasm.numThreads = 1;
  return ort;
}

export async function createSession(
  ort: OrtModule,
  model: string | Uint8Array,
  providers: readonly string[],
  sessionOptions: OrtOptions['sessionOptions'] = {},
): Promise<{ session: Ort.InferenceSession; provider: string }> {
  const errors: string[] = [];
  for (const provider of providers) {
    try {
      const opts = { ...sessionOptions, executionProviders: [provider] };
      const session =
        typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
      return { session, provider };
    } catch (err) {
      errors.push(`${provider}: ${(err as Error).message}`);
    }
  }
  const hint = providers.some((p) => p !== 'wasm' && p !== 'cpu')
    ? "; the default worker bundles onnxruntime-web's wasm build only: for other providers make a worker with exposeMonitorWorker() from 'edgewatch/worker'"
    : '';
  throw new Error(`edgewatch: no execution provider could load the model (${errors.join('; ')})${hint}`);
}

/** The model's inputs and outputs as the schema builder reads them. */
export function describeSession(s: Pick<Ort.InferenceSession, 'inputMetadata' | 'outputMetadata'>): {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
} {
  const conv = (m: readonly Ort.InferenceSession.ValueMetadata[]): ValueInfo[] =>
    m
      .filter((v) => v.isTensor)
      .map((v) => {
        const t = v as Ort.InferenceSession.TensorValueMetadata;
        return { name: t.name, type: t.type, shape: t.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))) };
      });
  return { inputs: conv(s.inputMetadata), outputs: conv(s.outputMetadata) };
}
