// Merge on read: the uploads of one model version, time range and segment, folded with the
// core's merge. Every read goes through here, and here the k-anonymity rule is applied: an
// aggregate of fewer than k distinct devices is reported as suppressed, never built.
import type { Core, Profile } from '../core.ts';
import type { Queryable } from '../storage/db.ts';

export interface Selection {
  projectId: number;
  model: string;
  version: string;
  /** Window starts in [from, to), ms. */
  from: number;
  to: number;
  /** Only uploads whose segment contains these key/values. */
  segment?: Record<string, string>;
}

export interface Counts {
  devices: number;
  uploads: number;
  rows: number;
}

export type Aggregate =
  | ({ suppressed: true } & Counts)
  | ({ suppressed: false; profile: Profile; layouts: number } & Counts);

const WHERE = `project_id = $1 and model = $2 and version = $3 and window_start >= $4 and window_start < $5
               and ($6::jsonb is null or segment @> $6::jsonb)`;

const params = (s: Selection) => [s.projectId, s.model, s.version, s.from, s.to, s.segment ? JSON.stringify(s.segment) : null];

export async function countSelection(db: Queryable, s: Selection): Promise<Counts> {
  const [r] = await db.query<{ devices: number; uploads: number; rows: number | null }>(
    `select count(distinct device_id) as devices, count(*) as uploads, sum(rows) as rows from uploads where ${WHERE}`,
    params(s),
  );
  return { devices: r.devices, uploads: r.uploads, rows: r.rows ?? 0 };
}

/** Merges the selection's payloads (the caller disposes the profile). */
export async function aggregate(db: Queryable, core: Core, k: number, s: Selection): Promise<Aggregate> {
  const counts = await countSelection(db, s);
  if (counts.devices < k || counts.uploads === 0) return { suppressed: true, ...counts };
  // Uploads merge within one layout (e.g. full vs private-mode grids). The layout carrying the
  // most rows is the aggregate; `layouts` tells the reader others exist.
  const layouts = await db.query<{ layout: string; devices: number }>(
    `select layout, count(distinct device_id) as devices from uploads where ${WHERE}
     group by layout order by sum(rows) desc, layout`,
    params(s),
  );
  const main = layouts[0];
  if (main.devices < k) return { suppressed: true, ...counts };
  const rows = await db.query<{ payload: Uint8Array }>(
    `select payload from uploads where ${WHERE} and layout = $7 order by id`,
    [...params(s), main.layout],
  );
  const merged = mergeAll(core, rows.map((r) => r.payload));
  const mainCounts = await db.query<{ uploads: number; rows: number }>(
    `select count(*) as uploads, sum(rows) as rows from uploads where ${WHERE} and layout = $7`,
    [...params(s), main.layout],
  );
  return {
    suppressed: false,
    profile: merged,
    layouts: layouts.length,
    devices: main.devices,
    uploads: mainCounts[0].uploads,
    rows: mainCounts[0].rows,
  };
}

export function mergeAll(core: Core, payloads: Uint8Array[]): Profile {
  const acc = core.profileFromBytes(payloads[0]);
  for (let i = 1; i < payloads.length; i++) {
    const p = core.profileFromBytes(payloads[i]);
    try {
      acc.merge(p);
    } finally {
      p.dispose();
    }
  }
  return acc;
}
