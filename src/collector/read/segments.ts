// The segments of a model version over a range, with their counts: read from the same three
// levels as every aggregate (raw uploads, hourly and daily rollups; see aggregate.ts), so the
// list stays exact at hour and day bounds after raw or hourly rows are pruned. Distinct devices
// are the union of each piece's device set, per segment; segments below k devices are left out.
import type { Segment } from 'edgewatch/read-api';
import type { Queryable } from '../storage/db.ts';
import { DAILY, params, RAW, ROLLED, type Selection } from './aggregate.ts';
import { UPLOAD_DEVICES } from './upload-sql.ts';

/** A segment as one string: JSON with its keys sorted, so equal segments always read the same. */
export function canonicalSegment(segment: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(segment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export type SegmentCounts = Segment;

export async function listSegments(db: Queryable, k: number, s: Selection): Promise<SegmentCounts[]> {
  const rows = await db.query<Record<string, unknown>>(
    `with p as (
       select segment, ${UPLOAD_DEVICES} as devices, 1::bigint as uploads, rows, received_at as received from uploads where ${RAW}
       union all select segment, devices, uploads, rows, received from rollups where ${ROLLED}
       union all select segment, devices, uploads, rows, received from daily_rollups where ${DAILY}),
     c as (select segment, sum(uploads)::bigint as uploads, sum(rows)::float8 as rows, max(received) as last from p group by segment),
     d as (select segment, count(distinct dev) as devices from p cross join lateral unnest(p.devices) as dev group by segment)
     select c.segment, d.devices, c.uploads, c.rows, c.last as "lastUploadAt" from c join d on d.segment = c.segment
     where d.devices >= $11 order by c.segment::text`,
    [...params(s), k],
  );
  return rows.map((r) => ({
    segment: r.segment as Record<string, string>,
    devices: Number(r.devices),
    uploads: Number(r.uploads),
    rows: Number(r.rows),
    lastUploadAt: Number(r.lastUploadAt),
  }));
}

export type Activity = { devices: number; lastUploadAt: number | null };

/**
 * Distinct devices and the newest arrival of a model version (or, with `segment`, of the uploads
 * whose segment holds it) over a range, from the three levels: still whole after raw uploads
 * (or hourly rollups) are pruned, since each rollup keeps its devices and when its newest upload
 * arrived.
 */
export async function versionActivity(db: Queryable, s: Selection): Promise<Activity> {
  const [r] = await db.query<{ devices: number; last: number | null }>(
    `with p as (
       select ${UPLOAD_DEVICES} as devices, received_at as received from uploads where ${RAW}
       union all select devices, received from rollups where ${ROLLED}
       union all select devices, received from daily_rollups where ${DAILY})
     select (select count(distinct dev) from p cross join lateral unnest(p.devices) as dev) as devices,
            (select max(received) from p) as last`,
    params(s),
  );
  return { devices: Number(r.devices), lastUploadAt: r.last === null ? null : Number(r.last) };
}

/** Distinct devices and the newest arrival of a model version, over every piece still stored. */
export const VERSION_DEVICES = `(select count(distinct d) from (
    select unnest(${UPLOAD_DEVICES}) as d from uploads u where u.project_id = m.project_id and u.model = m.model and u.version = m.version
    union all select unnest(r.devices) from rollups r where r.project_id = m.project_id and r.model = m.model and r.version = m.version
    union all select unnest(r.devices) from daily_rollups r where r.project_id = m.project_id and r.model = m.model and r.version = m.version) x)`;
/** The start of the earliest window of a model version still stored: when it began reporting. */
export const VERSION_FIRST = `least(
    (select min(u.window_start) from uploads u where u.project_id = m.project_id and u.model = m.model and u.version = m.version),
    (select min(r.first_window) from rollups r where r.project_id = m.project_id and r.model = m.model and r.version = m.version),
    (select min(r.first_window) from daily_rollups r where r.project_id = m.project_id and r.model = m.model and r.version = m.version))`;
export const VERSION_LAST = `greatest(
    (select max(u.received_at) from uploads u where u.project_id = m.project_id and u.model = m.model and u.version = m.version),
    (select max(r.received) from rollups r where r.project_id = m.project_id and r.model = m.model and r.version = m.version),
    (select max(r.received) from daily_rollups r where r.project_id = m.project_id and r.model = m.model and r.version = m.version))`;
