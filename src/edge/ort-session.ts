// Creating the onnxruntime-web session: the first execution provider that works wins, so the
// provider that actually runs the model is known (and recorded with every inference).
import type * as Ort from 'onnxruntime-web';
import type { ValueInfo } from './schema.ts';

export type OrtModule = typeof Ort;

export async function loadOrt(providers: readonly string[]): Promise<OrtModule> {
  // The wasm-only build is a quarter of the size; the full one brings WebGPU/WebNN.
  const ort = providers.every((p) => p === 'wasm' || p === 'cpu')
    ? ((await import('onnxruntime-web/wasm')) as unknown as OrtModule)
    : await import('onnxruntime-web');
  // Threads need cross-origin isolation; without it one thread is what works.
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) ort.env.wasm.numThreads = 1;
  return ort;
}

export async function createSession(
  ort: OrtModule,
  model: string | Uint8Array,
  providers: readonly string[],
): Promise<{ session: Ort.InferenceSession; provider: string }> {
  const errors: string[] = [];
  for (const provider of providers) {
    try {
      const opts = { executionProviders: [provider] };
      const session =
        typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
      return { session, provider };
    } catch (err) {
      errors.push(`${provider}: ${(err as Error).message}`);
    }
  }
  throw new Error(`edgewatch: no execution provider could load the model (${errors.join('; ')})`);
}

/** The model's inputs and outputs as the schema builder reads them. */
export function describeSession(s: Pick<Ort.InferenceSession, 'inputMetadata' | 'outputMetadata'>): { inputs: ValueInfo[]; outputs: ValueInfo[] } {
  const conv = (m: readonly Ort.InferenceSession.ValueMetadata[]): ValueInfo[] =>
    m.filter((v) => v.isTensor).map((v) => {
      const t = v as Ort.InferenceSession.TensorValueMetadata;
      return { name: t.name, type: t.type, shape: t.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))) };
    });
  return { inputs: conv(s.inputMetadata), outputs: conv(s.outputMetadata) };
}
