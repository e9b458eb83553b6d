// The private mode's contribution bound: a window records at most maxRowsPerWindow events, and
// when more happen it records a uniform sample of them (a reservoir), not the first ones, so a
// window whose data shifts half-way still shows both halves in proportion.
// An event is one inference row (with its call's latency and provider riding on the call's first
// row, so latency is a sample of calls), one failure, or one labelled feedback row. The sample
// holds copies of just those rows (at most maxRowsPerWindow per column); the core records them
// when the window is checkpointed (into a throwaway profile) or closed. Nothing is counted here.
import type { Profile } from '../core/index.ts';
import { PendingBatch } from './batcher.ts';
import { recordFeedback } from './feedback.ts';
import type { TensorLike, Tensors } from './options.ts';
import type { ScoredRows } from './recorder.ts';
import { Reservoir } from './reservoir.ts';
import { HEALTH } from '../core/columns.ts';
import { PROVIDERS, type FailureKind, type Plan } from './schema.ts';

type Event =
  | { kind: 'row'; inputs: Tensors; outputs: Tensors; latencyMs?: number; provider?: string }
  | { kind: 'failure'; failure: FailureKind; latencyMs?: number; provider?: string }
  | { kind: 'feedback'; scores: Float32Array; truth: number };

type Typed = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** Row r of a tensor, copied (the caller's buffers may be reused or transferred away). */
function rowOf(t: TensorLike, r: number): TensorLike {
  const total = t.dims.length === 0 ? 1 : t.dims[0];
  const per = t.data.length / Math.max(total, 1);
  const data = ArrayBuffer.isView(t.data)
    ? (t.data as unknown as Typed).slice(r * per, (r + 1) * per)
    : (t.data as readonly string[]).slice(r * per, (r + 1) * per);
  return { type: t.type, data: data as TensorLike['data'], dims: t.dims.length === 0 ? [] : [1, ...t.dims.slice(1)] };
}

function rowsOf(t: Tensors, names: readonly string[], r: number): Tensors {
  const out: Tensors = {};
  for (const name of names) if (t[name]) out[name] = rowOf(t[name], r);
  return out;
}

export class WindowSample {
  #reservoir: Reservoir;
  #slots: Event[] = [];

  constructor(maxRows: number, random?: () => number) {
    this.#reservoir = new Reservoir(maxRows, random);
  }

  /** Events seen in the window. */
  get seen(): number {
    return this.#reservoir.seen;
  }

  /** Events held (what the window will record): at most maxRowsPerWindow. */
  get size(): number {
    return this.#reservoir.size;
  }

  /** Offers the `rows` rows of one call; only the plan's tensors of the rows taken are copied. */
  offerRows(plan: Plan, inputs: Tensors, outputs: Tensors, rows: number, latencyMs?: number, provider?: string): void {
    const inNames = plan.inputs.map((ip) => ip.input);
    const outNames = plan.outputs.map((op) => op.output);
    this.#reservoir.offer(rows, (r, slot) => {
      this.#slots[slot] = {
        kind: 'row',
        inputs: rowsOf(inputs, inNames, r),
        outputs: rowsOf(outputs, outNames, r),
        ...(r === 0 ? { latencyMs, provider } : {}),
      };
    });
  }

  offerFailure(failure: FailureKind, latencyMs?: number, provider?: string): void {
    this.#reservoir.offer(1, (_, slot) => (this.#slots[slot] = { kind: 'failure', failure, latencyMs, provider }));
  }

  /** Offers labelled rows of an earlier prediction (scores row-major [rows, classes]). */
  offerFeedback(rows: ScoredRows, truth: readonly number[]): void {
    const k = rows.classes;
    this.#reservoir.offer(truth.length, (r, slot) => {
      this.#slots[slot] = { kind: 'feedback', scores: rows.scores.slice(r * k, (r + 1) * k), truth: truth[r] };
    });
  }

  /** Has the core record every event held into `p` (the sample stays, for a later checkpoint). */
  recordInto(p: Profile, plan: Plan): void {
    const batch = new PendingBatch();
    const failures: string[] = [];
    const latencies: number[] = [];
    const providers: string[] = [];
    const scores: Float32Array[] = [];
    const truth: number[] = [];
    for (const e of this.#slots) {
      if (e.kind === 'row') {
        if (batch.tryAdd(e.inputs, e.outputs, -1, e.latencyMs, e.provider) < 0) {
          batch.drain(p, plan);
          batch.add(plan, e.inputs, e.outputs, -1, e.latencyMs, e.provider);
        }
      } else if (e.kind === 'failure') {
        failures.push(e.failure);
        if (e.latencyMs !== undefined) latencies.push(e.latencyMs);
        if (e.provider) providers.push(PROVIDERS.includes(e.provider) ? e.provider : 'other');
      } else {
        scores.push(e.scores);
        truth.push(e.truth);
      }
    }
    batch.drain(p, plan);
    if (failures.length) p.recordLabels(HEALTH.failure, failures);
    if (latencies.length) p.recordNumbers(HEALTH.latency, Float64Array.from(latencies));
    if (providers.length) p.recordLabels(HEALTH.provider, providers);
    if (truth.length && plan.feedback) {
      const classes = scores[0].length;
      const all = new Float32Array(truth.length * classes);
      scores.forEach((s, i) => all.set(s, i * classes));
      recordFeedback(p, plan.feedback, { scores: all, classes }, truth);
    }
  }
}
