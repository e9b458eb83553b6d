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
