// Small batches (batch-1 predictions above all) are gathered here and handed to the core
// together: one engine call per column for many predictions instead of several per prediction.
// What is gathered is a copy (into buffers reused from batch to batch), so the app may reuse its
// buffers at once. The window drains its batch before every checkpoint and before it closes, so
// nothing waits past those points.
import type { Profile } from '../core/index.ts';
import type { TensorLike, Tensors } from './options.ts';
import { recordInputs, recordOutputs, RecordingError } from './recorder.ts';
import { HEALTH, PROVIDERS, type Plan } from './schema.ts';

/** Rows gathered before the core gets them. */
export const BATCH_ROWS = 256;

type Typed = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | BigUint64Array;

/**
 * One planned tensor's gathered rows: a buffer reused from batch to batch (grown by doubling,
 * never shrunk), so a call costs one copy into it and no allocation once it is warm.
 */
interface Gathered {
  name: string;
  input: boolean;
  type: string;
  /** dims after the batch dimension (rank-0 tensors count as one row). */
  rowDims: readonly number[];
  rank: number;
  typed: boolean;
  buf: Typed | string[];
  used: number;
  rows: number;
}

function rowsOf(t: TensorLike): number {
  return t.dims.length === 0 ? 1 : t.dims[0];
}

/** Same element type and same row shape as what is gathered: can be stacked along the batch. */
function fits(g: Gathered, t: TensorLike | undefined): boolean {
  if (!t || t.type !== g.type || t.dims.length !== g.rank || ArrayBuffer.isView(t.data) !== g.typed) return false;
  for (let i = 1; i < g.rank; i++) if (t.dims[i] !== g.rowDims[i - 1]) return false;
  return true;
}

function gather(g: Gathered, t: TensorLike): void {
  if (g.typed) {
    const data = t.data as unknown as Typed;
    let buf = g.buf as Typed;
    if (g.used + data.length > buf.length) {
      const Ctor = data.constructor as new (n: number) => Typed;
      const grown = new Ctor(Math.max(buf.length * 2, g.used + data.length, 64));
      (grown as Float64Array).set((buf as Float64Array).subarray(0, g.used));
      g.buf = buf = grown;
    }
    (buf as Float64Array).set(data as unknown as Float64Array, g.used);
    g.used += data.length;
  } else {
    const list = g.buf as string[];
    for (const v of t.data as readonly string[]) list.push(v);
    g.used = list.length;
  }
  g.rows += rowsOf(t);
}

export class PendingBatch {
  #gathered: Gathered[] = [];
  #latencies = new Float64Array(BATCH_ROWS);
  #nLatencies = 0;
  #providers: string[] = [];
  #spareProviders: string[] = [];
  #rows = 0;

  get rows(): number {
    return this.#rows;
  }

  /** Whether a call can join what is gathered (the first call of a batch always can). */
  accepts(inputs: Tensors, outputs: Tensors): boolean {
    if (this.#rows === 0) return true;
    for (const g of this.#gathered) if (!fits(g, g.input ? inputs[g.name] : outputs[g.name])) return false;
    return true;
  }

  /** Adds a call that carries every tensor of the plan (the caller checked, so a bad call fails itself, not a later batch). */
  add(plan: Plan, inputs: Tensors, outputs: Tensors, latencyMs: number | undefined, provider: string | undefined): void {
    if (this.#rows === 0) this.#shape(plan, inputs, outputs);
    for (const g of this.#gathered) gather(g, g.input ? inputs[g.name] : outputs[g.name]);
    if (latencyMs !== undefined) {
      if (this.#nLatencies === this.#latencies.length) {
        const grown = new Float64Array(this.#latencies.length * 2);
        grown.set(this.#latencies);
        this.#latencies = grown;
      }
      this.#latencies[this.#nLatencies++] = latencyMs;
    }
    if (provider) this.#providers.push(PROVIDERS.includes(provider) ? provider : 'other');
    this.#rows += plan.inputs.length ? rowsOf(inputs[plan.inputs[0].input]) : plan.outputs.length ? rowsOf(outputs[plan.outputs[0].output]) : 0;
  }

  /** The first call of a batch fixes its shapes; buffers of the same shape are kept. */
  #shape(plan: Plan, inputs: Tensors, outputs: Tensors): void {
    const wanted = [
      ...plan.inputs.map((ip) => ({ name: ip.input, input: true, t: inputs[ip.input] })),
      ...plan.outputs.map((op) => ({ name: op.output, input: false, t: outputs[op.output] })),
    ];
    if (wanted.length === this.#gathered.length && wanted.every((w, i) => this.#gathered[i].name === w.name && fits(this.#gathered[i], w.t))) {
      for (const g of this.#gathered) {
        g.used = 0;
        g.rows = 0;
        if (!g.typed) g.buf = [];
      }
      return;
    }
    this.#gathered = wanted.map(({ name, input, t }) => {
      const typed = ArrayBuffer.isView(t.data);
      const Ctor = typed ? ((t.data as unknown as Typed).constructor as new (n: number) => Typed) : null;
      return {
        name,
        input,
        type: t.type,
        rowDims: t.dims.slice(1),
        rank: t.dims.length,
        typed,
        buf: Ctor ? new Ctor(Math.max(t.data.length, 1) * BATCH_ROWS) : [],
        used: 0,
        rows: 0,
      };
    });
  }

  /** Hands everything gathered to the core, in one call per column where the core allows. */
  drain(p: Profile, plan: Plan): void {
    if (this.#rows === 0 && this.#nLatencies === 0) return;
    const ins: Tensors = {};
    const outs: Tensors = {};
    for (const g of this.#gathered) {
      if (g.rows === 0) continue;
      // Views of the reused buffers: the core copies what it records before they are reused.
      const data = g.typed ? (g.buf as Typed).subarray(0, g.used) : (g.buf as string[]);
      (g.input ? ins : outs)[g.name] = { type: g.type, data: data as TensorLike['data'], dims: [g.rows, ...g.rowDims] };
      g.used = 0;
      g.rows = 0;
      if (!g.typed) g.buf = [];
    }
    const latencies = this.#latencies.subarray(0, this.#nLatencies);
    // Two provider lists take turns, so that gathering never grows a fresh one.
    const providers = this.#providers;
    this.#providers = this.#spareProviders;
    this.#nLatencies = 0;
    this.#rows = 0;
    try {
      if (Object.keys(ins).length) recordInputs(p, plan, ins);
      if (Object.keys(outs).length) recordOutputs(p, plan, outs);
      if (latencies.length) p.recordNumbers(HEALTH.latency, latencies);
      if (providers.length) p.recordLabels(HEALTH.provider, providers);
    } finally {
      providers.length = 0;
      this.#spareProviders = providers;
    }
  }
}
