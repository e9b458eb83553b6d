// Delayed ground truth: predictions wait here (in memory, bounded) until their label arrives,
// then the label is folded into the window open at that moment.
import type { Profile } from '../core/profile.ts';
import type { ScoredRows } from './recorder.ts';
import type { FeedbackPlan } from './schema.ts';

/** Predictions kept for feedback; the oldest are forgotten first. */
const DEFAULT_CAPACITY = 10_000;

/**
 * Prediction ids and the scores they wait with. An id is UUID-shaped: a random prefix drawn once
 * per engine (so an id from an earlier page load never matches) and a 48-bit counter, which is far
 * cheaper per call than a fresh random UUID and names its slot in a ring of the newest
 * `capacity` predictions: no map, no eviction walk.
 */
export class PendingPredictions {
  #prefix = crypto.randomUUID().slice(0, 24);
  #seq = 0;
  #ids: (string | undefined)[];
  #rows: (ScoredRows | undefined)[];

  constructor(private capacity = DEFAULT_CAPACITY) {
    this.#ids = new Array(capacity);
    this.#rows = new Array(capacity);
  }

  /** A fresh id (every recorded call gets one, whether or not it waits for feedback). */
  newId(): string {
    return this.#prefix + (this.#seq++).toString(16).padStart(12, '0');
  }

  remember(id: string, rows: ScoredRows): void {
    const slot = this.#slotOf(id);
    if (slot < 0) return;
    this.#ids[slot] = id;
    this.#rows[slot] = rows;
  }

  get(id: string): ScoredRows | undefined {
    const slot = this.#slotOf(id);
    return slot >= 0 && this.#ids[slot] === id ? this.#rows[slot] : undefined;
  }

  /** A prediction takes its labels once. */
  forget(id: string): void {
    const slot = this.#slotOf(id);
    if (slot >= 0 && this.#ids[slot] === id) this.#ids[slot] = this.#rows[slot] = undefined;
  }

  #slotOf(id: string): number {
    if (typeof id !== 'string' || id.length !== 36 || !id.startsWith(this.#prefix)) return -1;
    const n = parseInt(id.slice(24), 16);
    return Number.isSafeInteger(n) ? n % this.capacity : -1;
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
