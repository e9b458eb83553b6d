// Folds one batch of model inputs and outputs into the window's profile, following the plan.
// Only moves data: every count, bucket and moment is computed by the core.
import type { Profile } from '../core/profile.ts';
import type { TensorLike, Tensors } from './options.ts';
import type { OutputPlan, Plan } from './schema.ts';
import { hashLabel } from './label-hash.ts';

export interface ScoredRows {
  /** Row-major [rows, classes] scores of the plan's feedback output. */
  scores: Float32Array;
  classes: number;
}

/** Rows of one tensor: its first dim (1 for a rank-0 value). */
export function rowsOf(t: TensorLike): number {
  return t.dims.length === 0 ? 1 : t.dims[0];
}

/** Number of rows in a batch: the first dim of the first input (1 for rank-0/1 single values). */
export function batchRows(t: Tensors): number {
  const first = Object.values(t)[0];
  return first ? rowsOf(first) : 0;
}

function asFloats(t: TensorLike): Float32Array | Float64Array {
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) return t.data;
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number((t.data as ArrayLike<number | bigint>)[i]);
  return out;
}

function asLabels(t: TensorLike, hashWith?: string): string[] {
  if (hashWith === undefined) return Array.from(t.data as ArrayLike<unknown>, (v) => String(v));
  return Array.from(t.data as ArrayLike<unknown>, (v) => hashLabel(hashWith, String(v)));
}

function need(t: Tensors, name: string, what: string): TensorLike {
  const v = t[name];
  if (!v) throw new RecordingError(`${what} '${name}' is missing`);
  return v;
}

export class RecordingError extends Error {
  override name = 'RecordingError';
}

/** Records the inputs of a batch. */
export function recordInputs(p: Profile, plan: Plan, inputs: Tensors): void {
  for (const ip of plan.inputs) {
    const t = need(inputs, ip.input, 'input');
    if (ip.kind === 'table') {
      const values = asFloats(t);
      const width = ip.columns.length;
      if (values.length % width !== 0) throw new RecordingError(`input '${ip.input}' does not split into ${width} features`);
      if (ip.columns.every((c) => c !== null)) {
        p.recordTable(values, ip.columns as string[]);
      } else {
        // Some features have no private-mode grid: record the others column by column.
        const rows = values.length / width;
        ip.columns.forEach((name, j) => {
          if (name === null) return;
          const col = new Float64Array(rows);
          for (let r = 0; r < rows; r++) col[r] = values[r * width + j];
          p.recordNumbers(name, col);
        });
      }
    } else if (ip.kind === 'labels') {
      p.recordLabels(ip.column, asLabels(t, ip.hashWith));
    } else {
      const values = asFloats(t);
      const [n, c] = t.dims;
      const plane = values.length / (n * c);
      for (let i = 0; i < n; i++) {
        for (let ch = 0; ch < c; ch++) {
          p.recordNumbers(ip.columns[ch], values.subarray((i * c + ch) * plane, (i * c + ch + 1) * plane));
        }
      }
    }
  }
}

/** Records the outputs of a batch. */
export function recordOutputs(p: Profile, plan: Plan, outputs: Tensors): void {
  for (const op of plan.outputs) {
    const t = need(outputs, op.output, 'output');
    if (op.kind === 'scores') {
      recordScores(p, op, t);
    } else if (op.kind === 'regression') {
      if (op.column) p.recordNumbers(op.column, asFloats(t));
    } else {
      p.recordLabels(op.column, asLabels(t, op.hashWith));
    }
  }
}

function recordScores(p: Profile, op: Extract<OutputPlan, { kind: 'scores' }>, t: TensorLike): void {
  const k = op.classes.length;
  const values = asFloats(t);
  if (values.length % k !== 0) throw new RecordingError(`output '${op.output}' does not split into ${k} classes`);
  const rows = values.length / k;
  const predicted = new Array<string>(rows);
  const confidence = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[r * k + c] > values[r * k + best]) best = c;
    predicted[r] = op.classes[best];
    confidence[r] = values[r * k + best];
  }
  p.recordLabels(op.predicted, predicted);
  p.recordNumbers(op.confidence, confidence);
  // The scores are a row-major [rows, classes] table: one engine call feeds every class's column.
  p.recordTable(values, op.scores);
}
