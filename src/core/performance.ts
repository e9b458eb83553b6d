// Model performance from feedback columns, and error bars for noisy counts. The engine computes
// every statistic (assembly/performance.ts); this file moves inputs in and names the outputs.
// The one thing done here is parsing: a confusion column's `true|predicted` labels become a
// matrix of counts.
import type { Core } from './core.ts';
import type { Profile } from './profile.ts';
import { CoreError } from './errors.ts';
import { CALIBRATION, CONFUSION, fields, NOISE_ERROR, records, ROC_AUC } from './layouts.ts';
import type { Engine } from './engine.ts';

export interface RocAuc {
  /** P(S+ > S−) + ½·P(same bin); NaN without both positives and negatives. */
  auc: number;
  positives: number;
  negatives: number;
}

export interface CalibrationBin {
  /** Labelled rows whose confidence fell in this bin (noisy cells read as max(cell, 0)). */
  count: number;
  correct: number;
  /** correct / count; NaN for an empty bin. */
  accuracy: number;
  /** The bin's midpoint (outer bins: their finite edge). */
  confidence: number;
}

export interface Calibration {
  ece: number;
  total: number;
  bins: CalibrationBin[];
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  /** Rows whose true label is the class. */
  support: number;
  /** Rows predicted as the class. */
  predicted: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  total: number;
  classes: Record<string, ClassMetrics>;
}

export interface ErrorBar {
  /** Standard deviation of the noise in the merged cell. */
  sd: number;
  /** Half-width of the 95% interval, 1.96·sd (normal approximation). */
  halfWidth95: number;
}

function columnIndex(p: Profile, name: string): number {
  const i = p.indexOf(name);
  if (i < 0) throw new CoreError(`no column '${name}' in this profile`);
  return i;
}

function sameEngine(a: Profile, b: Profile): Engine {
  if (a.engine !== b.engine) throw new CoreError('profiles from different cores cannot be combined');
  return a.engine;
}

/**
 * One-vs-rest ROC AUC from fixed-grid columns of one profile on the same edges: `positive` holds
 * the class's scores for rows of that label, `negatives` its scores for rows of each other label.
 */
export function rocAuc(p: Profile, positive: string, negatives: readonly string[]): RocAuc {
  const e = p.engine;
  const ip = columnIndex(p, positive);
  const cols = negatives.map((n) => columnIndex(p, n));
  const ptr = e.x.scratch(Math.max(cols.length, 1) * 4);
  new Int32Array(e.x.memory.buffer, ptr, cols.length).set(cols);
  const f = fields(ROC_AUC, e.resultF64(e.index(e.x.roc_auc(p.handle, ip, ptr, cols.length), 'ROC AUC')), 'ROC AUC');
  return { auc: f.auc, positives: f.positives, negatives: f.negatives };
}

/** ECE and accuracy per bin from the confidence grids of all labelled rows and of correct ones. */
export function calibration(all: Profile, allColumn: string, correct: Profile, correctColumn: string): Calibration {
  const e = sameEngine(all, correct);
  const n = e.index(
    e.x.calibration_error(all.handle, columnIndex(all, allColumn), correct.handle, columnIndex(correct, correctColumn)),
    'calibration',
  );
  const { head, records: bins } = records(CALIBRATION, e.resultF64(n), (h) => h.bins, 'calibration');
  return {
    ece: head.ece,
    total: head.total,
    bins: bins.map((b): CalibrationBin => ({ count: b.count, correct: b.correct, accuracy: b.accuracy, confidence: b.confidence })),
  };
}

/** Accuracy, precision and recall from `matrix[true][predicted]` counts over `classes`. */
export function classification(core: Core, classes: readonly string[], matrix: readonly (readonly number[])[]): ClassificationMetrics {
  const k = classes.length;
  if (k === 0) throw new CoreError('a confusion matrix needs at least one class');
  if (matrix.length !== k || matrix.some((r) => r.length !== k)) throw new CoreError(`a confusion matrix over ${k} classes is ${k}×${k}`);
  const e = core.engine;
  const ptr = e.x.scratch(k * k * 8);
  new Float64Array(e.x.memory.buffer, ptr, k * k).set(matrix.flat());
  const r = records(CONFUSION, e.resultF64(e.index(e.x.confusion_metrics(ptr, k), 'confusion matrix')), () => k, 'confusion matrix');
  const out: Record<string, ClassMetrics> = Object.create(null);
  classes.forEach((c, i) => {
    const x = r.records[i];
    out[c] = { precision: x.precision, recall: x.recall, support: x.support, predicted: x.predicted };
  });
  return { accuracy: r.head.accuracy, total: r.head.total, classes: out };
}

/**
 * Splits a confusion column's `true|predicted` counts into classes and a matrix. Labels without
 * exactly one `|` (such as the sketch's overflow bucket) are not cells of the matrix.
 */
export function confusionMatrix(items: readonly { value: string; count: number }[]): { classes: string[]; matrix: number[][] } {
  const cells: [string, string, number][] = [];
  const seen = new Set<string>();
  for (const { value, count } of items) {
    const parts = value.split('|');
    if (parts.length !== 2) continue;
    cells.push([parts[0], parts[1], count]);
    seen.add(parts[0]).add(parts[1]);
  }
  const classes = [...seen].sort();
  const at = new Map(classes.map((c, i) => [c, i]));
  const matrix = classes.map(() => classes.map(() => 0));
  for (const [t, p, n] of cells) matrix[at.get(t)!][at.get(p)!] += n;
  return { classes, matrix };
}

/**
 * Error bar of a merged noisy cell: `uploads` maps each noise scale b to how many uploads carried
 * it (the collector's NoiseScales). Each upload adds an independent two-sided geometric draw of
 * variance 2q/(1−q)², q = e^(−1/b).
 */
export function noiseErrorBar(core: Core, uploads: Readonly<Record<string, number>>): ErrorBar {
  const entries = Object.entries(uploads);
  const e = core.engine;
  const ptr = e.x.scratch(Math.max(entries.length, 1) * 16);
  const f = new Float64Array(e.x.memory.buffer, ptr, entries.length * 2);
  entries.forEach(([b, n], j) => {
    f[j] = Number(b);
    f[entries.length + j] = n;
  });
  const r = fields(
    NOISE_ERROR,
    e.resultF64(e.index(e.x.noise_error(ptr, ptr + entries.length * 8, entries.length), 'noise error bar')),
    'noise error bar',
  );
  return { sd: r.sd, halfWidth95: r.halfWidth95 };
}
