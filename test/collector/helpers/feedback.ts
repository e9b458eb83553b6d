// Labelled predictions of a three-class output, recorded into feedback columns the way the edge
// runtime lays them out (docs/edge.md, src/edge/feedback.ts), and the performance statistics of
// the raw rows computed independently of the core: the truth collector tests compare with.
import type { Core } from '../../../src/collector/core.ts';
import type { ColumnSpec } from '../../../src/core/types.ts';
import type { Profile } from '../../../src/core/profile.ts';
import { rng } from '../../helpers/random.ts';

export const CLASSES = ['cat', 'dog', 'fox'];
export const OUT = 'species';
export const TENTHS = Array.from({ length: 11 }, (_, i) => i / 10);
export const SCORE_EDGES = Array.from({ length: 101 }, (_, i) => i / 100); // the grid's default: 0..1 in 100 bins

/** The feedback columns of one classifier output. */
export const FEEDBACK_COLUMNS: ColumnSpec[] = [
  { name: `feedback.${OUT}.confusion`, kind: 'categorical', vocabulary: CLASSES.flatMap((t) => CLASSES.map((p) => `${t}|${p}`)) },
  ...CLASSES.flatMap((c) => CLASSES.map((l): ColumnSpec => ({ name: `feedback.${OUT}.score.${c}.label.${l}`, kind: 'grid' }))),
  { name: `feedback.${OUT}.calibration.all`, kind: 'grid', edges: TENTHS },
  { name: `feedback.${OUT}.calibration.correct`, kind: 'grid', edges: TENTHS },
];

export type Labelled = { truth: number; scores: number[] };

/** Rows whose true class gets a boost of `boost` before normalising: the larger, the more right. */
export function labelledRows(seed: number, n: number, boost = 0.6): Labelled[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const truth = Math.floor(r() * 3);
    const raw = CLASSES.map((_, c) => r() + (c === truth ? boost : 0));
    const sum = raw.reduce((a, b) => a + b, 0);
    return { truth, scores: raw.map((x) => x / sum) };
  });
}

export const argmax = (s: number[]) => s.indexOf(Math.max(...s));

/** Records labelled rows into `p`'s feedback columns (src/edge/feedback.ts does the same). */
export function recordFeedback(p: Profile, rows: Labelled[]): void {
  p.recordLabels(
    `feedback.${OUT}.confusion`,
    rows.map((x) => `${CLASSES[x.truth]}|${CLASSES[argmax(x.scores)]}`),
  );
  CLASSES.forEach((c, ci) =>
    CLASSES.forEach((l, li) => {
      p.recordNumbers(
        `feedback.${OUT}.score.${c}.label.${l}`,
        rows.filter((x) => x.truth === li).map((x) => x.scores[ci]),
      );
    }),
  );
  p.recordNumbers(
    `feedback.${OUT}.calibration.all`,
    rows.map((x) => Math.max(...x.scores)),
  );
  p.recordNumbers(
    `feedback.${OUT}.calibration.correct`,
    rows.filter((x) => argmax(x.scores) === x.truth).map((x) => Math.max(...x.scores)),
  );
}

export function feedbackProfile(core: Core, rows: Labelled[]) {
  const p = core.profile({ columns: FEEDBACK_COLUMNS });
  recordFeedback(p, rows);
  return p;
}

function binOf(edges: number[], x: number): number {
  let b = 0;
  while (b < edges.length && edges[b] < x) b++;
  return b;
}

/** The statistics from the raw rows, computed independently of the core. */
export function expectedPerformance(rows: Labelled[]) {
  const pred = rows.map((x) => argmax(x.scores));
  const classes: Record<string, { precision: number; recall: number; support: number; predicted: number; auc: number }> = {};
  CLASSES.forEach((c, ci) => {
    const tp = rows.filter((x, i) => x.truth === ci && pred[i] === ci).length;
    const support = rows.filter((x) => x.truth === ci).length;
    const predicted = pred.filter((p) => p === ci).length;
    // Mann–Whitney of the class's score, binned on the score grid, ties in a bin counting half.
    const pos = rows.filter((x) => x.truth === ci).map((x) => binOf(SCORE_EDGES, x.scores[ci]));
    const neg = rows.filter((x) => x.truth !== ci).map((x) => binOf(SCORE_EDGES, x.scores[ci]));
    let wins = 0;
    for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
    classes[c] = { precision: tp / predicted, recall: tp / support, support, predicted, auc: wins / (pos.length * neg.length) };
  });
  const n = new Array(12).fill(0);
  const k = new Array(12).fill(0);
  rows.forEach((x, i) => {
    const b = binOf(TENTHS, Math.max(...x.scores));
    n[b]++;
    if (pred[i] === x.truth) k[b]++;
  });
  const mid = (b: number) => (b === 0 ? 0 : b === 11 ? 1 : (TENTHS[b - 1] + TENTHS[b]) / 2);
  let ece = 0;
  for (let b = 0; b < 12; b++) if (n[b]) ece += (n[b] / rows.length) * Math.abs(k[b] / n[b] - mid(b));
  const correct = rows.filter((x, i) => pred[i] === x.truth).length;
  return { accuracy: correct / rows.length, classes, ece, n, k };
}
