// Chosen columns per step, without a baseline: each step's merged summary (the core's, e.g. a
// categorical column's counts per value) and, for numeric and grid columns, the core's quantiles.
// What a chart of values over time needs when the baseline lacks a column or there is none.
import type { ColumnSummary } from 'edgewatch';
import type { Core } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import type { Selection } from './aggregate.ts';
import { stepPoints, type StepCounts } from './steps.ts';

/** The quantiles every numeric summary carries: the ones the drift comparison reports. */
export const STEP_QUANTILES = ['0.5', '0.9', '0.99'] as const;

export type StepColumn = ColumnSummary & {
  /** Numeric and grid columns: the core's quantile of the step's finite values; null without any. */
  quantiles?: Record<(typeof STEP_QUANTILES)[number], number | null>;
};

export interface SummaryPoint extends StepCounts {
  /** The chosen columns the step's uploads carry (an older upload layout may lack one). */
  columns?: Record<string, StepColumn>;
}

export async function summaryTimeline(
  db: Queryable,
  core: Core,
  k: number,
  s: Selection,
  step: number,
  names: readonly string[],
): Promise<SummaryPoint[]> {
  return stepPoints(db, core, k, s, step, (profile) => {
    const present = new Set(profile.columnNames);
    const columns: Record<string, StepColumn> = Object.create(null);
    for (const name of names) {
      if (!present.has(name)) continue;
      const summary: StepColumn = profile.summary(name);
      if (summary.kind !== 'categorical') {
        const q = profile.quantiles(name, STEP_QUANTILES.map(Number));
        summary.quantiles = Object.fromEntries(
          STEP_QUANTILES.map((n, i) => [n, Number.isFinite(q[i]) ? q[i] : null]),
        ) as StepColumn['quantiles'];
      }
      columns[name] = summary;
    }
    return { columns };
  });
}
