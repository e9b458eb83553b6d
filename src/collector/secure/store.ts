// What each aggregator keeps of the secure mode: one share per report (the leader's words, or the
// helper's 16-byte seed) until its batch is decided, and one decision per batch. A report id is
// stored once per project; a batch is decided once, after which it takes no report, its shares
// are deleted (the decision holds all that is still needed) and it answers every request alike.
import type { Db, Queryable } from '../storage/db.ts';
import { BATCH_MATCH, type BatchKey, keyParams } from './batch-key.ts';

export interface Decision {
  state: 'released' | 'withheld';
  reports: number;
  /** SHA-256 of the sorted report ids the decision was asked for. */
  reportSet: string;
  /** Ids asked for that this aggregator did not hold (left out of its sum). */
  missing: string[];
  share: Uint8Array | null;
}

/** Stores a report's share; false when the project already has that report id. */
export async function insertReport(
  db: Queryable,
  k: BatchKey,
  reportId: string,
  cells: number,
  share: Uint8Array,
  now: number,
): Promise<boolean> {
  const rows = await db.query(
    `insert into secure_reports (project_id, model, version, segment, window_start, window_end, layout_hash, params, report_id, cells, share, received_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict (project_id, report_id) do nothing returning report_id`,
    [...keyParams(k), reportId, cells, share, now],
  );
  return rows.length === 1;
}

export async function storedShare(db: Queryable, projectId: number, reportId: string): Promise<Uint8Array | null> {
  const [r] = await db.query<{ share: Uint8Array }>('select share from secure_reports where project_id = $1 and report_id = $2', [
    projectId,
    reportId,
  ]);
  return r ? new Uint8Array(r.share) : null;
}

export async function decision(db: Queryable, k: BatchKey): Promise<Decision | null> {
  const [r] = await db.query<{ state: Decision['state']; reports: number; report_set: string; missing: string; share: Uint8Array | null }>(
    `select state, reports, report_set, missing, share from secure_batches where ${BATCH_MATCH}`,
    keyParams(k),
  );
  return r
    ? {
        state: r.state,
        reports: Number(r.reports),
        reportSet: r.report_set,
        missing: JSON.parse(r.missing) as string[],
        share: r.share ? new Uint8Array(r.share) : null,
      }
    : null;
}

/**
 * Records a batch's decision and deletes its shares, in one transaction; false when it was
 * already decided (the first decision stands, and nothing is deleted).
 */
export async function decide(db: Db | Queryable, k: BatchKey, d: Decision, now: number): Promise<boolean> {
  const run = async (tx: Queryable) => {
    const rows = await tx.query(
      `insert into secure_batches (project_id, model, version, segment, window_start, window_end, layout_hash, params, state, reports, report_set, missing, share, decided_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict do nothing returning state`,
      [...keyParams(k), d.state, d.reports, d.reportSet, JSON.stringify(d.missing), d.share, now],
    );
    if (rows.length === 0) return false;
    await tx.query(`delete from secure_reports where ${BATCH_MATCH}`, keyParams(k));
    return true;
  };
  return 'transaction' in db ? db.transaction(run) : run(db);
}

/** The ids of a batch's reports, and its cell count (every report of a batch has the same). */
export async function batchReports(db: Queryable, k: BatchKey): Promise<{ ids: string[]; cells: number }> {
  const rows = await db.query<{ report_id: string; cells: number }>(
    `select report_id, cells from secure_reports where ${BATCH_MATCH} order by report_id`,
    keyParams(k),
  );
  return { ids: rows.map((r) => r.report_id), cells: Number(rows[0]?.cells ?? 0) };
}

/** The shares of a batch's reports among `ids` (all of them when `ids` is omitted), by id. */
export async function batchShares(db: Queryable, k: BatchKey, ids?: readonly string[]): Promise<Map<string, Uint8Array>> {
  const rows = await db.query<{ report_id: string; share: Uint8Array }>(
    `select report_id, share from secure_reports where ${BATCH_MATCH}${ids ? ' and report_id = any($9::text[])' : ''} order by report_id`,
    ids ? [...keyParams(k), ids] : keyParams(k),
  );
  return new Map(rows.map((r) => [r.report_id, new Uint8Array(r.share)]));
}

/** Batches with reports whose windows ended at or before `before` and that are not decided. */
export async function dueBatches(db: Queryable, before: number, limit: number): Promise<BatchKey[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select distinct r.project_id, r.model, r.version, r.segment, r.window_start, r.window_end, r.layout_hash, r.params
     from secure_reports r
     where r.window_end <= $1 and not exists (
       select 1 from secure_batches b where b.project_id = r.project_id and b.model = r.model and b.version = r.version
         and b.segment = r.segment and b.window_start = r.window_start and b.window_end = r.window_end
         and b.layout_hash = r.layout_hash and b.params = r.params)
     order by r.window_end limit $2`,
    [before, limit],
  );
  return rows.map((r) => ({
    projectId: Number(r.project_id),
    model: String(r.model),
    version: String(r.version),
    segment: String(r.segment),
    windowStart: Number(r.window_start),
    windowEnd: Number(r.window_end),
    layoutHash: String(r.layout_hash),
    params: String(r.params),
  }));
}

/** SHA-256 (hex) of the sorted ids: what a decision covered, compared without keeping the list. */
export async function reportSetHash(ids: readonly string[]): Promise<string> {
  const text = new TextEncoder().encode([...ids].sort().join('\n'));
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', text));
  return Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('');
}
