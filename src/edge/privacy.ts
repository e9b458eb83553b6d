// The private ('dp') mode's bookkeeping: the noise scale a window needs, and the device's daily ε
// budget. The noise itself is drawn by the core (assembly/noise.ts).
//
// Mechanism: two-sided geometric noise (the discrete Laplace), P(k) ∝ exp(−|k|/b), on every cell of
// every column (all grid bins and vocabulary cells, the missing/NaN/±Inf cells; zeros included).
// Sensitivity: one event (an inference row, a failure, a feedback row) lands in at most one cell
// of each column, so it moves the window's cell vector by at most d in L1, d = number of columns.
// A window records at most C = maxRowsPerWindow events (a uniform sample of them when there are
// more, window-sample.ts: which events are kept does not depend on their values), so one
// device's whole window moves it by at most C·d. With b = C·d/ε the window is ε-differentially private for the device's entire
// contribution in that window (not just one row). Sums, means and extremes are not uploaded at all
// in this mode (the core strips them when it adds noise), so they need no clipping.
// Windows compose: a device spends ε per uploaded window and at most dailyEpsilon per UTC day.
import { utcDay } from './clock.ts';
import type { PrivacyOptions } from './options.ts';
import type { Store } from './store.ts';

export function noiseScale(maxRows: number, columns: number, epsilon: number): number {
  return (maxRows * columns) / epsilon;
}

/** The privacy parameters as they travel in the upload header (meta 'privacy'). */
export function privacyHeader(p: PrivacyOptions, columns: number): Record<string, unknown> {
  if (p.mode === 'off') return { mode: 'off' };
  return {
    mode: 'dp',
    mechanism: 'two-sided-geometric',
    epsilon: p.epsilon,
    maxRowsPerWindow: p.maxRowsPerWindow,
    dailyEpsilon: p.dailyEpsilon,
    columns,
    noiseScale: noiseScale(p.maxRowsPerWindow, columns, p.epsilon),
  };
}

interface BudgetRecord {
  day: string;
  spent: number;
}

const BUDGET_KEY = 'privacy-budget';

/**
 * Spends ε from today's budget if enough is left; one transaction, so tabs sharing the store
 * cannot overspend together. Returns false when the window must not be uploaded.
 */
export async function spendBudget(store: Store, now: number, epsilon: number, daily: number): Promise<boolean> {
  const day = utcDay(now);
  let granted = false;
  await store.update<BudgetRecord>(BUDGET_KEY, (old) => {
    const spent = old && old.day === day ? old.spent : 0;
    // A tiny tolerance so that e.g. eight windows of ε = 1 fit a daily budget of 8 exactly.
    granted = spent + epsilon <= daily * (1 + 1e-9);
    return { day, spent: granted ? spent + epsilon : spent };
  });
  return granted;
}

export async function budgetLeft(store: Store, now: number, daily: number): Promise<number> {
  const rec = await store.get<BudgetRecord>(BUDGET_KEY);
  const spent = rec && rec.day === utcDay(now) ? rec.spent : 0;
  return Math.max(0, daily - spent);
}
