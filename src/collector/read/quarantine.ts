// Stored pieces that cannot be read back (a payload that no longer decodes, e.g. written before
// a check existed or damaged on disk) are moved to the `quarantine` table by the rollup round:
// out of every read, every rollup and every count, so one bad row stops no other group or
// project, and kept with its reason for inspection. Each move is logged and counted in
// edgewatch_quarantined_total.
import type { Counter } from 'prom-client';
import type { Queryable } from '../storage/db.ts';

export interface BadPiece {
  source: 'uploads' | 'rollups' | 'daily_rollups';
  id: number;
  reason: string;
}

export type Key = { project_id: number; model: string; version: string; segment: Record<string, string>; period: number };

/** Moves `bad` out of their tables, in the caller's transaction. */
export async function quarantine(tx: Queryable, key: Key, bad: BadPiece[], counter?: Counter, now = Date.now()): Promise<void> {
  for (const b of bad) {
    await tx.query(
      `with moved as (delete from ${b.source} where id = $1 returning project_id, model, version, segment, payload)
       insert into quarantine (source, source_id, project_id, model, version, segment, period, reason, payload, quarantined_at)
       select $2, $1, project_id, model, version, segment, $3, $4, payload, $5 from moved`,
      [b.id, b.source, key.period, b.reason, now],
    );
    counter?.inc({ source: b.source });
    console.error(
      `edgewatch rollups: quarantined ${b.source} row ${b.id} of project ${key.project_id} ${key.model}@${key.version} ` +
        `at ${new Date(key.period).toISOString()}: ${b.reason}`,
    );
  }
}
