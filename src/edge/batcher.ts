// Small batches (batch-1 predictions above all) are gathered here and handed to the core
// together: one engine call per column for many predictions instead of several per prediction.
// What is gathered is a copy, so the app may reuse its buffers at once. The window drains its
// batch before every checkpoint and before it closes, so nothing waits past those points.
import type { Profile } from '../core/index.ts';
import type { TensorLike, Tensors } from './options.ts';
import { batchRows, recordInputs, recordOutputs, RecordingError } from './recorder.ts';
import { HEALTH, PROVIDERS, type Plan } from './schema.ts';

/** Rows gathered before the core gets them. */
export const BATCH_ROWS = 256;

type Typed = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | BigUint64Array;

function copyTensor(t: TensorLike): TensorLike {
  const data = ArrayBuffer.isView(t.data) ? (t.data as unknown as Typed).slice() : Array.from(t.data as readonly string[]);
  return { type: t.type, data: data as TensorLike['data'], dims: t.dims };
}

function concat(parts: TensorLike[]): TensorLike {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  const rows = parts.reduce((n, t) => n + (t.dims.length === 0 ? 1 : t.dims[0]), 0);
  const total = parts.reduce((n, t) => n + t.data.length, 0);
  let data: TensorLike['data'];
  if (ArrayBuffer.isView(first.data)) {
    const Ctor = (first.data as unknown as Typed).constructor as new (n: number) => Typed;
    const out = new Ctor(total);
    let at = 0;
    for (const t of parts) {
      (out as Float64Array).set(t.data as unknown as Float64Array, at);
      at += t.data.length;
    }
    data = out as unknown as TensorLike['data'];
  } else {
    data = parts.flatMap((t) => Array.from(t.data as readonly string[]));
  }
  return { type: first.type, data, dims: [rows, ...first.dims.slice(1)] };
}

/** Same element type and same row shape: can be stacked along the batch dimension. */
function stackable(a: TensorLike, b: TensorLike): boolean {
  return a.type === b.type && a.dims.length === b.dims.length && a.dims.every((d, i) => i === 0 || d === b.dims[i]) && ArrayBuffer.isView(a.data) === ArrayBuffer.isView(b.data);
}

export class PendingBatch {
  #inputs: Tensors[] = [];
  #outputs: Tensors[] = [];
  #latencies: number[] = [];
  #providers: string[] = [];
  #rows = 0;

  get rows(): number {
    return this.#rows;
  }

  /** Whether a call can join what is gathered (the first call of a batch always can). */
  accepts(inputs: Tensors, outputs: Tensors): boolean {
    if (this.#inputs.length === 0) return true;
    const fit = (a: Tensors, b: Tensors) => {
      const keys = Object.keys(a);
      return keys.length === Object.keys(b).length && keys.every((k) => b[k] && stackable(a[k], b[k]));
    };
    return fit(this.#inputs[0], inputs) && fit(this.#outputs[0], outputs);
  }

  add(plan: Plan, inputs: Tensors, outputs: Tensors, latencyMs: number | undefined, provider: string | undefined): void {
    // The plan's tensors only, checked now so that a bad call fails itself, not a later batch.
    const ins: Tensors = {};
    for (const ip of plan.inputs) {
      if (!inputs[ip.input]) throw new RecordingError(`input '${ip.input}' is missing`);
      ins[ip.input] = copyTensor(inputs[ip.input]);
    }
    const outs: Tensors = {};
    for (const op of plan.outputs) {
      if (!outputs[op.output]) throw new RecordingError(`output '${op.output}' is missing`);
      outs[op.output] = copyTensor(outputs[op.output]);
    }
    this.#inputs.push(ins);
    this.#outputs.push(outs);
    if (latencyMs !== undefined) this.#latencies.push(latencyMs);
    if (provider) this.#providers.push(PROVIDERS.includes(provider) ? provider : 'other');
    this.#rows += batchRows(ins);
  }

  /** Hands everything gathered to the core, in one call per column where the core allows. */
  drain(p: Profile, plan: Plan): void {
    if (this.#inputs.length === 0 && this.#latencies.length === 0) return;
    const stack = (calls: Tensors[]) => {
      const out: Tensors = {};
      for (const name of Object.keys(calls[0] ?? {})) out[name] = concat(calls.map((c) => c[name]));
      return out;
    };
    const ins = stack(this.#inputs);
    const outs = stack(this.#outputs);
    const latencies = Float64Array.from(this.#latencies);
    const providers = this.#providers;
    this.#inputs = [];
    this.#outputs = [];
    this.#latencies = [];
    this.#providers = [];
    this.#rows = 0;
    if (Object.keys(ins).length) recordInputs(p, plan, ins);
    if (Object.keys(outs).length) recordOutputs(p, plan, outs);
    if (latencies.length) p.recordNumbers(HEALTH.latency, latencies);
    if (providers.length) p.recordLabels(HEALTH.provider, providers);
  }
}
