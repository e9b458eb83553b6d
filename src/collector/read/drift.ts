// Drift over time: the range is cut into steps (steps.ts); each step's uploads are merged and
// compared with the baseline by the core's compare (statistics, tests and per-column verdicts all
// come from the core). Steps with fewer than k devices are reported as suppressed, nothing else.
import { hasBaselineValues, type DriftOptions } from 'edgewatch';
import type { DriftPoint } from 'edgewatch/read-api';
import type { Core, Profile } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import type { Selection } from './aggregate.ts';
import { stepPoints } from './steps.ts';
import { yieldToLoop } from '../yield.ts';

export type { DriftPoint };

export async function driftTimeline(
  db: Queryable,
  core: Core,
  k: number,
  baseline: Profile,
  s: Selection,
  step: number,
  options: DriftOptions = {},
): Promise<DriftPoint[]> {
  return stepPoints(db, core, k, s, step, async (profile) => {
    const report = await core.compareInSlices(baseline, profile, options, yieldToLoop);
    // Columns the baseline holds no values of (health, feedback) cannot drift from it: they do
    // not count towards the dataset-level share.
    const cols = Object.values(report.columns).filter(hasBaselineValues);
    return {
      driftedColumns: cols.filter((c) => c.drifted.drifted).length,
      comparedColumns: cols.length,
      columns: report.columns,
      schema: { missing: report.schema.missing, changed: report.schema.changed },
    };
  });
}
