// instrument(): for apps that keep their own InferenceSession (often in their own worker). Records
// around session.run in the same thread; the outputs come back untouched.
import type * as Ort from 'onnxruntime-web';
import { loadCore } from '../core/index.ts';
import { MonitorEngine, type EngineStatus } from './engine.ts';
import { failureKind } from './failures.ts';
import { resolveOptions, type MonitorOptions, type Tensors } from './options.ts';
import { describeSession } from './ort-session.ts';
import type { OutboxEntry } from './store.ts';

/**
 * The outputs object run() returns carries its prediction's sequence number under this symbol:
 * invisible to Object.keys, for…in and JSON, and far cheaper per call than a WeakMap entry (the
 * id string is made only when predictionIdOf asks).
 */
const PREDICTION = Symbol('edgewatch.prediction');

type RunnableSession = Pick<Ort.InferenceSession, 'run' | 'inputMetadata' | 'outputMetadata'>;

export interface InstrumentedSession {
  /** session.run, recorded. Same arguments, same outputs. */
  run(feeds: Ort.InferenceSession.FeedsType, options?: Ort.InferenceSession.RunOptions): Promise<Ort.InferenceSession.ReturnType>;
  /** The prediction id of outputs returned by run() (for feedback). */
  predictionIdOf(outputs: object): string | undefined;
  feedback(predictionId: string, label: string | number | (string | number)[]): boolean;
  flush(): Promise<void>;
  status(): Promise<EngineStatus>;
  /** Closed windows waiting for upload, exactly as they will be sent. */
  outbox(): Promise<OutboxEntry[]>;
  close(): Promise<void>;
}

export async function instrument(
  session: RunnableSession,
  options: Omit<MonitorOptions, 'model'> & { provider?: string },
): Promise<InstrumentedSession> {
  const o = resolveOptions(options);
  const engine = await MonitorEngine.start(
    o,
    {
      core: await loadCore(o.coreWasm === undefined ? {} : { wasm: o.coreWasm }),
      // A chunk of its own for bundlers: only a page in the secure mode loads the HPKE library.
      seal: o.privacy.mode === 'secure' ? (core, opts, e) => import('./seal.ts').then((m) => m.sealWindow(core, opts, e)) : undefined,
    },
    describeSession(session),
  );
  const provider = options.provider ?? 'wasm';
  return {
    async run(feeds, runOptions) {
      const t0 = performance.now();
      let outputs: Ort.InferenceSession.ReturnType;
      try {
        // Passed on as given: with no options, onnxruntime-web skips its fetches-or-options test.
        outputs = await session.run(feeds, runOptions);
      } catch (err) {
        engine.recordFailure(failureKind(err), { latencyMs: performance.now() - t0, provider });
        throw err;
      }
      const latencyMs = performance.now() - t0;
      try {
        // ort's tensors are read in place (type, data, dims): no per-call copies of the maps.
        (outputs as Record<symbol, number>)[PREDICTION] = engine.recordCall(
          feeds as unknown as Tensors,
          outputs as unknown as Tensors,
          latencyMs,
          provider,
        );
      } catch (err) {
        console.warn(`edgewatch: could not record a prediction (${(err as Error).message})`);
        engine.recordFailure('recording');
      }
      return outputs;
    },
    predictionIdOf: (outputs) => {
      const seq = (outputs as Record<symbol, number | undefined>)[PREDICTION];
      return seq === undefined ? undefined : engine.predictionId(seq);
    },
    feedback: (id, label) => engine.feedback(id, label),
    flush: () => engine.flush(),
    status: () => engine.status(),
    outbox: () => engine.outbox(),
    close: () => engine.close(),
  };
}
