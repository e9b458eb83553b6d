// The rows churn@1.0.0's devices record in the dashboard seed (seed.ts), apart so a browser test
// can regenerate them as the truth the page is checked against.
import { makeRows } from '../collector/helpers/payloads.ts';
import { rng } from '../helpers/random.ts';

export const CLASSES = ['stay', 'churn'];

/** Windows and devices of the seed: window w of device d records churnRows(w * 100 + d, 60, …). */
export const CHURN_WINDOWS = 10;
export const CHURN_DEVICES = 8;
export const CHURN_ROWS = 60;
export const churnShift = (device: number) => (device < 4 ? 20 : 0);
/** Start of window w (every 5 min, the last one 5 min before the seed's minute). */
export const churnWindowStart = (now: number, w: number) => now - (now % 60_000) - 50 * 60_000 + w * 5 * 60_000;

/** Private-mode uploads of churn@1.0.0: how many devices, at which noise scale, when. */
export const PRIVATE_DEVICES = 3;
export const PRIVATE_NOISE_SCALE = 1;
export const privateWindowStart = (now: number) => now - (now % 60_000) - 5 * 3_600_000;

/** Rows as the edge runtime would record them: inputs, the model's outputs, health. */
export function churnRows(seed: number, n: number, shift: number, withHealth: boolean) {
  const r = rng(seed + 7);
  return makeRows(seed, n, shift).map((row) => {
    const score = Math.min(0.99, Math.max(0.01, ((row.age ?? 40) - 25) / 50));
    const predicted = score > 0.5 ? 'churn' : 'stay';
    const truth = r() < 0.8 ? predicted : predicted === 'churn' ? 'stay' : 'churn';
    return {
      ...row,
      'scores.predicted': predicted,
      'scores.confidence': Math.max(score, 1 - score),
      ...(withHealth
        ? { 'health.latency_ms': 2 + 10 * r() ** 2, 'feedback.scores.confusion': r() < 0.3 ? `${truth}|${predicted}` : null }
        : {}),
    };
  });
}

/** The window the canary version churn@1.1.0 starts reporting in, and its devices. */
export const CANARY_FIRST_WINDOW = 4;
export const CANARY_DEVICES = 4;
export const CANARY_METADATA = {
  owner: 'ml-team',
  criticality: 'high',
  trainingSnapshot: 'churn-train-2026-11-30',
  schemaVersion: 'features-v3',
  rollbackTarget: '1.0.0',
} as const;

/** Rows of churn@1.1.0's device d in window w: churn@1.0.0's, one call in twenty failing, calibration recorded. */
export function canaryRows(w: number, d: number) {
  // Half the devices shifted, as in churn@1.0.0: the two versions see the same inputs.
  return churnRows(5000 + w * 100 + d, CHURN_ROWS, churnShift(d * 2), true).map((row, i) => {
    const label = row['feedback.scores.confusion'] as string | null | undefined;
    const [truth, predicted] = label ? label.split('|') : [];
    return {
      ...row,
      'health.failure': i % 20 === 0 ? 'inference' : null,
      'feedback.scores.calibration.all': label ? row['scores.confidence'] : null,
      'feedback.scores.calibration.correct': label && truth === predicted ? row['scores.confidence'] : null,
    };
  });
}
