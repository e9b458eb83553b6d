// Small batches (batch-1 predictions above all) are gathered here and handed to the core
// together: one engine call per column for many predictions instead of several per prediction.
// What is gathered is a copy (into buffers reused from batch to batch), so the app may reuse its
// buffers at once. The window drains its batch before every checkpoint and before it closes, so
// nothing waits past those points.
//
// A call's own cost is what it touches: next to a model that streams megabytes of weights through
// the caches, every object and function a call reaches is a cache miss (measured on the earlier,
// per-call recording: ~2.4 µs a call in a tight loop, ~9 µs right after a 20→3×1,024→10 MLP's
// session.run). So a call does as little as it can — its tensors copied, four numbers written —
// and all else (class and provider labels, the scores kept for feedback) waits for the drain,
// which touches everything once per batch. The usual plan, one [rows, n] input and one
// [rows, k] output, takes a shorter path still: a few fields checked and two copies, instead of
// a walk over the general per-tensor list (0.6–1.3 µs a call less next to that MLP).
import type { Profile } from '../core/index.ts';
import type { TensorLike, Tensors } from './options.ts';
import { recordInputs, recordOutputs, rowsOf } from './recorder.ts';
import type { PendingPredictions } from './feedback.ts';
import { HEALTH } from '../core/columns.ts';
import { PROVIDERS, type Plan } from './schema.ts';

/** Rows gathered before the core gets them. */
export const BATCH_ROWS = 256;

type Typed =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | BigUint64Array;

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

/** Same element type and same row shape as what is gathered: can be stacked along the batch. */
function fits(g: Gathered, t: TensorLike | undefined): boolean {
  if (!t || t.type !== g.type || t.dims.length !== g.rank || ArrayBuffer.isView(t.data) !== g.typed) return false;
  for (let i = 1; i < g.rank; i++) if (t.dims[i] !== g.rowDims[i - 1]) return false;
  return true;
}

/** A copy of `buf` with room for at least `n` values (doubling, so growth stays rare). */
function grown(buf: Typed, n: number): Typed {
  const Ctor = buf.constructor as new (n: number) => Typed;
  const out = new Ctor(Math.max(buf.length * 2, n, 64));
  (out as Float64Array).set(buf as Float64Array);
  return out;
}

function gather(g: Gathered, t: TensorLike): void {
  if (g.typed) {
    const data = t.data as unknown as Typed;
    let buf = g.buf as Typed;
    if (g.used + data.length > buf.length) g.buf = buf = grown(buf, g.used + data.length);
    (buf as Float64Array).set(data as unknown as Float64Array, g.used);
    g.used += data.length;
  } else {
    const list = g.buf as string[];
    for (const v of t.data as readonly string[]) list.push(v);
    g.used = list.length;
  }
  g.rows += rowsOf(t);
}

/** Per call, in one array so that a call writes one cache line: sequence number, rows, latency (NaN: none), provider (see providerIndex). */
const CALL_FIELDS = 4;
const NO_PROVIDER = -1;

/** A provider's index in PROVIDERS ('other' for those outside it), or NO_PROVIDER. */
function providerIndex(provider: string | undefined): number {
  if (!provider) return NO_PROVIDER;
  const i = PROVIDERS.indexOf(provider);
  return i >= 0 ? i : PROVIDERS.indexOf('other');
}

export class PendingBatch {
  #gathered: Gathered[] = [];
  /**
   * The usual tabular plan — one typed [rows, n] input and one typed [rows, k] output — is
   * gathered through these fields alone (#gathered[0] and [1] only get the result at the drain):
   * a call then runs a few lines of code on one object, where what a call touches is what it costs.
   */
  #pair = false;
  #xName = '';
  #yName = '';
  #xType = '';
  #yType = '';
  #xCols = 0;
  #yCols = 0;
  #x: Typed = new Float32Array(0);
  #y: Typed = new Float32Array(0);
  #calls = new Float64Array(64 * CALL_FIELDS);
  #nCalls = 0;
  #rows = 0;
  /** The last call's provider and its index: a session keeps its provider, so this is the usual answer. */
  #provider: string | undefined;
  #providerIndex = NO_PROVIDER;

  get rows(): number {
    return this.#rows;
  }

  /**
   * The per-call path: adds a call whose tensors stack onto what is gathered and returns its rows;
   * returns -1, adding nothing, when the batch is empty, a tensor is missing or does not fit, or
   * the call has no rows — the caller then drains and takes add().
   */
  tryAdd(inputs: Tensors, outputs: Tensors, seq: number, latencyMs: number | undefined, provider: string | undefined): number {
    if (this.#rows === 0) return -1;
    if (this.#pair) return this.#addPair(inputs, outputs, seq, latencyMs, provider);
    const gathered = this.#gathered;
    for (let i = 0; i < gathered.length; i++) {
      const g = gathered[i];
      if (!fits(g, g.input ? inputs[g.name] : outputs[g.name])) return -1;
    }
    return this.#append(inputs, outputs, seq, latencyMs, provider);
  }

  /** Adds a call that carries every tensor of the plan (the caller checked, so a bad call fails itself, not a later batch). */
  add(plan: Plan, inputs: Tensors, outputs: Tensors, seq: number, latencyMs: number | undefined, provider: string | undefined): number {
    if (this.#rows === 0) this.#shape(plan, inputs, outputs);
    if (this.#pair) return this.#addPair(inputs, outputs, seq, latencyMs, provider);
    return this.#append(inputs, outputs, seq, latencyMs, provider);
  }

  #addPair(inputs: Tensors, outputs: Tensors, seq: number, latencyMs: number | undefined, provider: string | undefined): number {
    const x = inputs[this.#xName];
    const y = outputs[this.#yName];
    if (x === undefined || y === undefined || x.type !== this.#xType || y.type !== this.#yType) return -1;
    const xd = x.dims;
    const yd = y.dims;
    const rows = xd[0];
    if (xd.length !== 2 || yd.length !== 2 || xd[1] !== this.#xCols || yd[1] !== this.#yCols || yd[0] !== rows || rows === 0) return -1;
    const xs = x.data;
    const ys = y.data;
    if (!ArrayBuffer.isView(xs) || !ArrayBuffer.isView(ys)) return -1;
    const at = this.#rows;
    if ((at + rows) * this.#xCols > this.#x.length) this.#x = grown(this.#x, (at + rows) * this.#xCols);
    if ((at + rows) * this.#yCols > this.#y.length) this.#y = grown(this.#y, (at + rows) * this.#yCols);
    (this.#x as Float64Array).set(xs as unknown as Float64Array, at * this.#xCols);
    (this.#y as Float64Array).set(ys as unknown as Float64Array, at * this.#yCols);
    return this.#count(rows, seq, latencyMs, provider);
  }

  #append(inputs: Tensors, outputs: Tensors, seq: number, latencyMs: number | undefined, provider: string | undefined): number {
    const gathered = this.#gathered;
    // The batch's rows are its first planned tensor's (an input's, else an output's).
    const rows = gathered.length ? rowsOf(gathered[0].input ? inputs[gathered[0].name] : outputs[gathered[0].name]) : 0;
    if (rows === 0 && this.#rows > 0) return -1;
    for (let i = 0; i < gathered.length; i++) {
      const g = gathered[i];
      gather(g, g.input ? inputs[g.name] : outputs[g.name]);
    }
    return this.#count(rows, seq, latencyMs, provider);
  }

  /** Writes a call's four numbers. */
  #count(rows: number, seq: number, latencyMs: number | undefined, provider: string | undefined): number {
    let calls = this.#calls;
    const at = this.#nCalls * CALL_FIELDS;
    if (at === calls.length) {
      const grown = new Float64Array(calls.length * 2);
      grown.set(calls);
      this.#calls = calls = grown;
    }
    if (provider !== this.#provider) {
      this.#provider = provider;
      this.#providerIndex = providerIndex(provider);
    }
    calls[at] = seq;
    calls[at + 1] = rows;
    calls[at + 2] = latencyMs ?? NaN;
    calls[at + 3] = this.#providerIndex;
    this.#nCalls++;
    this.#rows += rows;
    return rows;
  }

  /** The first call of a batch fixes its shapes; buffers of the same shape are kept. */
  #shape(plan: Plan, inputs: Tensors, outputs: Tensors): void {
    const wanted = [
      ...plan.inputs.map((ip) => ({ name: ip.input, input: true, t: inputs[ip.input] })),
      ...plan.outputs.map((op) => ({ name: op.output, input: false, t: outputs[op.output] })),
    ];
    if (
      wanted.length === this.#gathered.length &&
      wanted.every((w, i) => this.#gathered[i].name === w.name && fits(this.#gathered[i], w.t))
    ) {
      for (const g of this.#gathered) {
        g.used = 0;
        g.rows = 0;
        if (!g.typed) g.buf = [];
      }
    } else {
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
    // The short path takes this first call too, so the call must pass its checks (same rows in
    // and out, at least one).
    const [a, b] = this.#gathered;
    const pairShaped = this.#gathered.length === 2 && a.input && !b.input && a.typed && b.typed && a.rank === 2 && b.rank === 2;
    const rows = pairShaped ? rowsOf(inputs[a.name]) : 0;
    this.#pair = pairShaped && rows > 0 && rowsOf(outputs[b.name]) === rows;
    if (this.#pair) {
      [this.#xName, this.#xType, this.#xCols, this.#x] = [a.name, a.type, a.rowDims[0], a.buf as Typed];
      [this.#yName, this.#yType, this.#yCols, this.#y] = [b.name, b.type, b.rowDims[0], b.buf as Typed];
    }
  }

  /**
   * Hands everything gathered to the core, in one call per column where the core allows. With
   * `pending`, each call's scores of the plan's feedback output are kept there first, under the
   * call's sequence number.
   */
  drain(p: Profile, plan: Plan, pending?: PendingPredictions): void {
    const n = this.#nCalls;
    if (n === 0) return;
    if (this.#pair) {
      const [a, b] = this.#gathered;
      [a.buf, a.used, a.rows] = [this.#x, this.#rows * this.#xCols, this.#rows];
      [b.buf, b.used, b.rows] = [this.#y, this.#rows * this.#yCols, this.#rows];
    }
    if (pending && plan.feedback) this.#keepScores(pending, plan.feedback.output);
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
    const calls = this.#calls;
    const latencies = new Float64Array(n);
    let nLatencies = 0;
    const providers: string[] = [];
    for (let c = 0; c < n; c++) {
      const latency = calls[c * CALL_FIELDS + 2];
      if (!Number.isNaN(latency)) latencies[nLatencies++] = latency;
      const provider = calls[c * CALL_FIELDS + 3];
      if (provider !== NO_PROVIDER) providers.push(PROVIDERS[provider]);
    }
    this.#nCalls = 0;
    this.#rows = 0;
    if (Object.keys(ins).length) recordInputs(p, plan, ins);
    if (Object.keys(outs).length) recordOutputs(p, plan, outs);
    if (nLatencies) p.recordNumbers(HEALTH.latency, latencies.subarray(0, nLatencies));
    if (providers.length) p.recordLabels(HEALTH.provider, providers);
  }

  /** Keeps every call's rows of `output` (a [rows, classes] score tensor) for feedback. */
  #keepScores(pending: PendingPredictions, output: string): void {
    const g = this.#gathered.find((x) => !x.input && x.name === output);
    if (!g || !g.typed || g.rank !== 2) return;
    const classes = g.rowDims[0];
    const scores = g.buf as unknown as ArrayLike<number>;
    const calls = this.#calls;
    let offset = 0;
    for (let c = 0; c < this.#nCalls; c++) {
      const rows = calls[c * CALL_FIELDS + 1];
      pending.keep(calls[c * CALL_FIELDS], scores, offset, rows, classes);
      offset += rows * classes;
    }
  }
}
