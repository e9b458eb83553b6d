// A range cut into steps, each step's uploads merged on its own (aggregate.ts, so k-anonymity
// applies to every step). Shared by the drift timeline and the per-step summaries.
import type { Core, Profile } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { aggregate, fetchPieces, foldFetched, suppressedCounts, type Aggregate, type Selection } from './aggregate.ts';
import { DAY, HOUR } from './rollup.ts';

interface Step {
  from: number;
  to: number;
  agg: Aggregate;
}

/** What every step reports, read or suppressed. */
export interface StepCounts {
  from: number;
  to: number;
  /** Counts are absent when the step is suppressed. */
  devices?: number;
  uploads?: number;
  rows?: number;
  suppressed: boolean;
}

/**
 * One point per step: its counts, and what `read` makes of its merged profile unless the step is
 * suppressed (fewer than k devices: counts only). Each profile is disposed once read.
 */
export async function stepPoints<T extends object>(
  db: Queryable,
  core: Core,
  k: number,
  s: Selection,
  step: number,
  read: (profile: Profile) => T | Promise<T>,
): Promise<(StepCounts & Partial<T>)[]> {
  const points: (StepCounts & Partial<T>)[] = [];
  for await (const { from, to, agg } of steps(db, core, k, s, step)) {
    if (agg.suppressed) {
      points.push({ from, to, suppressed: true, ...suppressedCounts(agg) } as StepCounts & Partial<T>);
      continue;
    }
    const counts = { from, to, devices: agg.devices, uploads: agg.uploads, rows: agg.rows };
    try {
      points.push({ ...counts, suppressed: false, ...(await read(agg.profile)) });
    } finally {
      agg.profile.dispose();
    }
  }
  return points;
}

/** Steps of `step` ms from `s.from` (the last one cut at `s.to`), in order. */
async function* steps(db: Queryable, core: Core, k: number, s: Selection, step: number): AsyncGenerator<Step> {
  // With steps of whole hours starting on an hour, every hourly rollup falls inside one step (and
  // every daily one too when steps are whole days): one query fetches the whole range, and the
  // pieces are cut into steps here. Sub-day steps never read daily rollups, which they would split.
  const days = s.from % DAY === 0 && step % DAY === 0;
  const aligned = s.from % HOUR === 0 && step % HOUR === 0;
  const pieces = aligned ? await fetchPieces(db, { ...s, days }) : [];
  for (let from = s.from; from < s.to; from += step) {
    const to = Math.min(from + step, s.to);
    const agg = aligned
      ? await foldFetched(
          core,
          k,
          pieces.filter((p) => p.t >= from && p.t < to),
        )
      : await aggregate(db, core, k, { ...s, from, to, days: false });
    yield { from, to, agg };
  }
}
