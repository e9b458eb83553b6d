// Drift over time: the range is cut into steps; each step's uploads are merged and compared with
// the baseline by the core's compare (statistics, tests and per-column verdicts all come from
// the core). Steps with fewer than k devices are reported as suppressed, nothing else.
import type { ColumnDrift } from '../../core/types.ts';
import type { DriftOptions } from '../../core/index.ts';
import type { Core, Profile } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { aggregate, fetchPieces, fold, type Selection } from './aggregate.ts';
import { DAY, HOUR } from './rollup.ts';

export interface DriftPoint {
  from: number;
  to: number;
  devices: number;
  uploads: number;
  rows: number;
  suppressed: boolean;
  /** Dataset-level verdict: how many compared columns the core marked drifted. */
  driftedColumns?: number;
  comparedColumns?: number;
  columns?: Record<string, ColumnDrift>;
}

export async function driftTimeline(
  db: Queryable,
  core: Core,
  k: number,
  baseline: Profile,
  s: Selection,
  step: number,
  options: DriftOptions = {},
): Promise<DriftPoint[]> {
  const points: DriftPoint[] = [];
  // With steps of whole hours starting on an hour, every hourly rollup falls inside one step (and
  // every daily one too when steps are whole days): one query fetches the whole range, and the
  // pieces are cut into steps here. Sub-day steps never read daily rollups, which they would split.
  const days = s.from % DAY === 0 && step % DAY === 0;
  const aligned = s.from % HOUR === 0 && step % HOUR === 0;
  const pieces = aligned ? await fetchPieces(db, { ...s, days }) : [];
  for (let from = s.from; from < s.to; from += step) {
    const to = Math.min(from + step, s.to);
    const agg = aligned
      ? fold(core, k, pieces.filter((p) => p.t >= from && p.t < to))
      : await aggregate(db, core, k, { ...s, from, to, days: false });
    const counts = { from, to, devices: agg.devices, uploads: agg.uploads, rows: agg.rows };
    if (agg.suppressed) {
      points.push({ ...counts, suppressed: true });
      continue;
    }
    try {
      const report = core.compare(baseline, agg.profile, options);
      // Columns the baseline holds no rows of (health, feedback) cannot drift from it: they do not
      // count towards the dataset-level share.
      const cols = Object.values(report.columns).filter((c) => c.count[0] > 0);
      points.push({
        ...counts,
        suppressed: false,
        driftedColumns: cols.filter((c) => c.drifted.drifted).length,
        comparedColumns: cols.length,
        columns: report.columns,
      });
    } finally {
      agg.profile.dispose();
    }
  }
  return points;
}
