// Retention per resolution: raw uploads, hourly and daily rollups each kept for their own span
// (0: forever). Only pieces already folded into the next level are pruned, so reads at hour (or
// day) bounds stay exact. Raw uploads are kept at least as long as the ingest max age: a retried
// upload id whose raw row is gone would otherwise count twice, and past the max age ingest
// refuses its window anyway. A secure-mode share whose batch was never decided (its leader gone,
// or the batch never asked for) goes once its window is past the max age and the grace period:
// no report for it can arrive any more, and nothing will ever need it.
import type { Db } from '../storage/db.ts';

export interface Retention {
  rawRetentionMs: number;
  hourlyRetentionMs: number;
  dailyRetentionMs: number;
  maxAgeMs: number;
  secureGraceMs: number;
}

/** Deletes what has outlived its retention at `now`; returns the rows deleted per level. */
export async function pruneRound(
  db: Db,
  r: Retention,
  now = Date.now(),
): Promise<{ raw: number; hourly: number; daily: number; shares: number }> {
  const del = async (sql: string, keep: number) =>
    keep > 0 ? (await db.query<{ n: number }>(`with d as (${sql} returning 1) select count(*)::int as n from d`, [now - keep]))[0].n : 0;
  return {
    raw: await del(
      'delete from uploads where rolled and window_start < $1',
      r.rawRetentionMs > 0 ? Math.max(r.rawRetentionMs, r.maxAgeMs) : 0,
    ),
    hourly: await del('delete from rollups where rolled and hour < $1', r.hourlyRetentionMs),
    daily: await del('delete from daily_rollups where day < $1', r.dailyRetentionMs),
    shares: await del('delete from secure_reports where window_end < $1', r.maxAgeMs + r.secureGraceMs),
  };
}
