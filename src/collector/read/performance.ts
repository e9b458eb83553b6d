// Model performance of a merged aggregate, from the feedback columns the edge runtime records per
// output (docs/edge.md): the core computes every statistic; here the columns are found by name
// and the answer is shaped for JSON (NaN, "not defined", becomes null).
import type { Core, Profile } from '../core.ts';
import { calibration, classification, columnName, confusionMatrix, noiseErrorBar, parseColumn, rocAuc, type ErrorBar } from 'edgewatch';
import type { ClassPerformance, OutputPerformance } from 'edgewatch/read-api';
import type { NoiseScales } from './aggregate.ts';

export type { ClassPerformance, OutputPerformance };

export interface Performance {
  outputs: Record<string, OutputPerformance>;
  /** Private mode: the error bar of any single count cell (every cell carries one draw per upload). */
  cellError?: ErrorBar;
}

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Error bar of a sum of `cells` count cells: each cell carries one draw per upload, so the sum
 * carries `cells` times as many draws of each scale.
 */
export function sumError(core: Core, noise: NoiseScales, cells = 1): ErrorBar | undefined {
  if (Object.keys(noise).length === 0) return undefined;
  const draws: Record<string, number> = Object.create(null);
  for (const [b, n] of Object.entries(noise)) draws[b] = n * cells;
  return noiseErrorBar(core, draws);
}

export function performanceOf(core: Core, p: Profile, noise: NoiseScales): Performance {
  const names = new Set(p.columnNames);
  const outputs: Record<string, OutputPerformance> = Object.create(null);
  for (const name of names) {
    const role = parseColumn(name);
    if (role.group !== 'feedback' || role.part !== 'confusion') continue;
    const out = role.output;
    const s = p.summary(name);
    if (s.kind !== 'categorical') continue;
    const { classes, matrix } = confusionMatrix(s.items);
    if (classes.length === 0) continue;
    const m = classification(core, classes, matrix);
    const score = (c: string, l: string) => columnName.labelledScore(out, c, l);
    const perClass: Record<string, ClassPerformance> = Object.create(null);
    for (const c of classes) {
      const pos = score(c, c);
      const negs = classes.filter((l) => l !== c && names.has(score(c, l))).map((l) => score(c, l));
      const auc = names.has(pos) && negs.length > 0 ? rocAuc(p, pos, negs).auc : NaN;
      const x = m.classes[c];
      perClass[c] = {
        precision: orNull(x.precision),
        recall: orNull(x.recall),
        support: x.support,
        predicted: x.predicted,
        auc: orNull(auc),
      };
    }
    const all = columnName.calibrationAll(out);
    const correct = columnName.calibrationCorrect(out);
    let cal: OutputPerformance['calibration'] = null;
    if (names.has(all) && names.has(correct)) {
      const r = calibration(p, all, p, correct);
      cal = { ece: orNull(r.ece), total: r.total, bins: r.bins.map((b) => ({ ...b, accuracy: orNull(b.accuracy) })) };
    }
    const labelledError = sumError(core, noise, classes.length * classes.length);
    const classError = sumError(core, noise, classes.length);
    outputs[out] = {
      labelled: m.total,
      accuracy: orNull(m.accuracy),
      classes: perClass,
      confusion: { classes, matrix: matrix.map((r) => r.map((v) => Math.max(v, 0))) },
      calibration: cal,
      ...(labelledError ? { labelledError, classError } : {}),
    };
  }
  const cellError = sumError(core, noise);
  return { outputs, ...(cellError ? { cellError } : {}) };
}
