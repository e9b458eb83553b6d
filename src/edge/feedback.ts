// Delayed ground truth: predictions wait here (in memory, bounded) until their label arrives,
// then the label is folded into the window open at that moment.
import type { Profile } from '../core/profile.ts';
import type { ScoredRows } from './recorder.ts';
import type { FeedbackPlan } from './schema.ts';

/** Predictions kept for feedback; the oldest are forgotten first. */
const DEFAULT_CAPACITY = 10_000;

export class PendingPredictions {
  #map = new Map<string, ScoredRows>();
  constructor(private capacity = DEFAULT_CAPACITY) {}

  remember(id: string, rows: ScoredRows): void {
    this.#map.set(id, rows);
    while (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as string);
  }

  get(id: string): ScoredRows | undefined {
    return this.#map.get(id);
  }

  /** A prediction takes its labels once. */
  forget(id: string): void {
    this.#map.delete(id);
  }
}

export class FeedbackError extends Error {
  override name = 'FeedbackError';
}

function classIndex(plan: FeedbackPlan, label: string | number): number {
  const byName = plan.classes.indexOf(String(label));
  if (byName >= 0) return byName;
  if (typeof label === 'number' && Number.isInteger(label) && label >= 0 && label < plan.classes.length) return label;
  throw new FeedbackError(`label '${label}' is not one of the classes ${plan.classes.join(', ')}`);
}

/** Number of rows the labels cover (validated before anything is recorded). */
/** Checks the labels (count, known classes) before anything is recorded; returns class indices. */
export function labelsFor(plan: FeedbackPlan, rows: ScoredRows, labels: string | number | readonly (string | number)[]): number[] {
  const n = rows.scores.length / rows.classes;
  const list = Array.isArray(labels) ? [...labels] : [labels as string | number];
  if (list.length !== n) throw new FeedbackError(`the prediction had ${n} rows but ${list.length} labels were given`);
  return list.map((l) => classIndex(plan, l));
}

/** Records the labels of one earlier prediction: confusion, scores by true label, calibration. */
export function recordFeedback(p: Profile, plan: FeedbackPlan, rows: ScoredRows, truth: readonly number[]): void {
  const k = rows.classes;
  const confusion: string[] = [];
  const all: number[] = [];
  const correct: number[] = [];
  const byLabel = plan.scoreByLabel.map((perLabel) => perLabel.map(() => [] as number[]));
  truth.forEach((t, r) => {
    const s = rows.scores.subarray(r * k, (r + 1) * k);
    let best = 0;
    for (let c = 1; c < k; c++) if (s[c] > s[best]) best = c;
    confusion.push(`${plan.classes[t]}|${plan.classes[best]}`);
    all.push(s[best]);
    if (best === t) correct.push(s[best]);
    for (let c = 0; c < k; c++) byLabel[c][t].push(s[c]);
  });
  p.recordLabels(plan.confusion, confusion);
  p.recordNumbers(plan.calibrationAll, all);
  p.recordNumbers(plan.calibrationCorrect, correct);
  plan.scoreByLabel.forEach((perLabel, c) =>
    perLabel.forEach((name, l) => {
      if (byLabel[c][l].length) p.recordNumbers(name, byLabel[c][l]);
    }),
  );
}
