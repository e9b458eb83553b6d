// From a model's input/output description (and the options) to the profile's columns, plus the
// plan that says which tensor feeds which column. The private mode keeps only columns that have a
// fixed grid: a baseline grid for inputs, fixed 0..1 grids and class vocabularies for outputs.
import { columnName, HEALTH } from '../core/columns.ts';
import type { ColumnSpec } from '../core/types.ts';
import { type Grid, isPrivate, type ResolvedOptions } from './options.ts';

/** What is known of one model input or output: ort's metadata, or the first tensor seen. */
export interface ValueInfo {
  name: string;
  type: string;
  /** Symbolic dims (e.g. 'batch') are strings; unknown ones -1. */
  shape: readonly (number | string)[];
}

export type InputPlan =
  | { input: string; kind: 'table'; columns: (string | null)[] }
  | { input: string; kind: 'labels'; column: string; hashWith?: string }
  | { input: string; kind: 'channels'; columns: string[] };

export type OutputPlan =
  | { output: string; kind: 'scores'; classes: string[]; predicted: string; confidence: string; scores: string[] }
  | { output: string; kind: 'regression'; column: string | null }
  | { output: string; kind: 'labels'; column: string; hashWith?: string };

export interface Plan {
  columns: ColumnSpec[];
  inputs: InputPlan[];
  outputs: OutputPlan[];
  /** The classifier output feedback refers to, if any. */
  feedback: FeedbackPlan | null;
}

export interface FeedbackPlan {
  output: string;
  classes: string[];
  confusion: string;
  /** scoreByLabel[c][l]: scores of class c for rows whose true label is l. */
  scoreByLabel: string[][];
  calibrationAll: string;
  calibrationCorrect: string;
}

export const FAILURE_KINDS = ['input', 'inference', 'output', 'recording'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
export const PROVIDERS = ['wasm', 'webgpu', 'webgl', 'webnn', 'cpu', 'other'];

/** Latency grid for the private mode: milliseconds, roughly logarithmic up to 10 s. */
export const LATENCY_EDGES = [
  0.05, 0.1, 0.2, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000,
];

const FLOAT_TYPES = new Set(['float32', 'float64', 'float16']);
const NUMBER_TYPES = new Set([...FLOAT_TYPES, 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32']);
const LABEL_TYPES = new Set(['int64', 'uint64', 'string', 'bool']);

function lastDim(shape: readonly (number | string)[]): number {
  const d = shape[shape.length - 1];
  return typeof d === 'number' ? d : -1;
}

export function buildPlan(inputs: ValueInfo[], outputs: ValueInfo[], o: ResolvedOptions, grid: Grid | null): Plan {
  const dp = isPrivate(o.privacy);
  const columns: ColumnSpec[] = [];
  const add = (spec: ColumnSpec) => {
    if (columns.some((c) => c.name === spec.name)) throw new Error(`edgewatch: two columns are named '${spec.name}'`);
    columns.push(spec);
  };
  // In the private mode an input column exists only if the baseline grid has it.
  const numericColumn = (name: string): string | null => {
    if (!dp) {
      // An explicit center: windows of many devices must merge, so each cannot choose its own.
      return (add({ name, kind: 'numeric', center: o.centers?.[name] ?? 0 }), name);
    }
    const g = grid?.columns[name];
    if (g && 'edges' in g) return (add({ name, kind: 'grid', edges: g.edges }), name);
    return null;
  };
  // Labels outside a declared vocabulary never leave as they are: in the private mode such a
  // column is not recorded, in the off mode its labels are hashed or fold into __other__.
  const labels = o.privacy.mode === 'off' ? (o.privacy.labels ?? 'hash') : 'other';
  const labelColumn = (name: string): { column: string; hashWith?: string } | null => {
    const declared = o.vocabularies?.[name];
    const g = grid?.columns[name];
    const vocabulary = g && 'vocabulary' in g ? g.vocabulary : declared;
    if (dp && !vocabulary) return null;
    if (vocabulary) return (add({ name, kind: 'categorical', vocabulary }), { column: name });
    if (labels === 'other') return (add({ name, kind: 'categorical', vocabulary: [] }), { column: name });
    add({ name, kind: 'categorical' });
    return { column: name, hashWith: o.modelId };
  };

  const inputPlans: InputPlan[] = [];
  for (const v of inputs) {
    const rank = v.shape.length;
    if (NUMBER_TYPES.has(v.type) && rank <= 2) {
      const width = rank === 2 ? lastDim(v.shape) : 1;
      if (width < 1) throw new Error(`edgewatch: input '${v.name}' has no fixed feature count; pass features`);
      const names = inputs.length === 1 && o.features ? o.features : rank === 2 ? range(width).map((j) => `${v.name}.${j}`) : [v.name];
      if (names.length !== width) throw new Error(`edgewatch: ${names.length} feature names for input '${v.name}' of width ${width}`);
      inputPlans.push({ input: v.name, kind: 'table', columns: names.map((n) => numericColumn(n)) });
    } else if (LABEL_TYPES.has(v.type) && rank <= 2) {
      const column = labelColumn(inputs.length === 1 && o.features?.length === 1 ? o.features[0] : v.name);
      if (column) inputPlans.push({ input: v.name, kind: 'labels', ...column });
    } else if (FLOAT_TYPES.has(v.type) && rank >= 3) {
      // Images and other tensors: one sketch per channel (NCHW: dim 1) of all its values, not per
      // pixel. A row touches many cells there, so the private mode leaves tensors out.
      const channels = typeof v.shape[1] === 'number' ? (v.shape[1] as number) : -1;
      if (dp || channels < 1) continue;
      const names = range(channels).map((c) => columnName.channel(v.name, c));
      names.forEach((name) => add({ name, kind: 'numeric', center: 0 }));
      inputPlans.push({ input: v.name, kind: 'channels', columns: names });
    }
  }

  const outputPlans: OutputPlan[] = [];
  let feedback: FeedbackPlan | null = null;
  for (const v of outputs) {
    const k = lastDim(v.shape);
    if (FLOAT_TYPES.has(v.type) && v.shape.length === 2 && k >= 2) {
      const classes = o.classes && o.classes.length === k ? o.classes : range(k).map(String);
      const predicted = columnName.predicted(v.name);
      const confidence = columnName.confidence(v.name);
      add({ name: predicted, kind: 'categorical', vocabulary: classes });
      add({ name: confidence, kind: 'grid' });
      const scores = classes.map((c) => columnName.score(v.name, c));
      scores.forEach((name) => add({ name, kind: 'grid' }));
      outputPlans.push({ output: v.name, kind: 'scores', classes, predicted, confidence, scores });
      if (!feedback) feedback = feedbackColumns(v.name, classes, add);
    } else if (FLOAT_TYPES.has(v.type)) {
      outputPlans.push({ output: v.name, kind: 'regression', column: numericColumn(v.name) });
    } else if (LABEL_TYPES.has(v.type)) {
      const column = labelColumn(v.name);
      if (column) outputPlans.push({ output: v.name, kind: 'labels', ...column });
    }
  }

  add(dp ? { name: HEALTH.latency, kind: 'grid', edges: LATENCY_EDGES } : { name: HEALTH.latency, kind: 'numeric', center: 0 });
  add({ name: HEALTH.failure, kind: 'categorical', vocabulary: [...FAILURE_KINDS] });
  add({ name: HEALTH.provider, kind: 'categorical', vocabulary: PROVIDERS });
  return { columns, inputs: inputPlans, outputs: outputPlans, feedback };
}

function feedbackColumns(output: string, classes: string[], add: (s: ColumnSpec) => void): FeedbackPlan {
  const confusion = columnName.confusion(output);
  add({ name: confusion, kind: 'categorical', vocabulary: classes.flatMap((t) => classes.map((p) => `${t}|${p}`)) });
  const scoreByLabel = classes.map((c) => classes.map((l) => columnName.labelledScore(output, c, l)));
  scoreByLabel.flat().forEach((name) => add({ name, kind: 'grid' }));
  const calibrationAll = columnName.calibrationAll(output);
  const calibrationCorrect = columnName.calibrationCorrect(output);
  add({ name: calibrationAll, kind: 'grid', edges: tenths() });
  add({ name: calibrationCorrect, kind: 'grid', edges: tenths() });
  return { output, classes, confusion, scoreByLabel, calibrationAll, calibrationCorrect };
}

/** Calibration bins: 0..1 in ten equal bins (the usual ECE layout). */
function tenths(): number[] {
  return range(11).map((i) => i / 10);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Describes tensors seen at run time, for sessions without metadata (observe()). */
export function describeTensors(t: Record<string, { type: string; dims: readonly number[] }>): ValueInfo[] {
  return Object.entries(t).map(([name, v]) => ({ name, type: v.type, shape: v.dims.map((d, i) => (i === 0 ? 'batch' : d)) }));
}
