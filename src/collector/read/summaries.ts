// Chosen columns per step, without a baseline: each step's merged summary (the core's, e.g. a
// categorical column's counts per value) and, for numeric and grid columns, the core's quantiles.
// What a chart of values over time needs when the baseline lacks a column or there is none.
import { STEP_QUANTILES, type StepColumn } from 'edgewatch/read-api';
import type { Core } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import type { Selection } from './aggregate.ts';
import { stepPoints, type StepCounts } from './steps.ts';

export { STEP_QUANTILES, type StepColumn };

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
