// Merge on read: the uploads of one model version, time range and segment, folded with the
// core's merge — whole hours from their rollups (rollup.ts), the rest from raw uploads. Every
// read goes through here, and here the k-anonymity rule is applied: an aggregate of fewer than k
// distinct devices is reported as suppressed, never built.
import type { Core, Profile } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { HOUR } from './rollup.ts';

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

/** Private-mode uploads in an aggregate: how many carried each noise scale (see noise.ts). */
export type NoiseScales = Record<string, number>;

export type Aggregate =
  | ({ suppressed: true } & Counts)
  | ({ suppressed: false; profile: Profile; layouts: number; noise: NoiseScales } & Counts);

// Raw uploads in the range, except rolled ones inside the whole hours [$7, $8) that rollups cover.
const RAW = `project_id = $1 and model = $2 and version = $3 and window_start >= $4 and window_start < $5
             and ($6::jsonb is null or segment @> $6::jsonb)
             and not (rolled and window_start >= $7 and window_start < $8)`;
const ROLLED = `project_id = $1 and model = $2 and version = $3 and hour >= $7 and hour < $8
                and ($6::jsonb is null or segment @> $6::jsonb)`;

function params(s: Selection) {
  const wholeFrom = Math.ceil(s.from / HOUR) * HOUR;
  const wholeTo = Math.max(wholeFrom, Math.floor(s.to / HOUR) * HOUR);
  return [s.projectId, s.model, s.version, s.from, s.to, s.segment ? JSON.stringify(s.segment) : null, wholeFrom, wholeTo];
}

export async function countSelection(db: Queryable, s: Selection): Promise<Counts> {
  const [r] = await db.query<{ devices: number; uploads: number; rows: number }>(
    `select (select count(distinct d) from (select device_id as d from uploads where ${RAW}
                                            union all select unnest(devices) from rollups where ${ROLLED}) x) as devices,
            (select count(*) from uploads where ${RAW}) + (select coalesce(sum(uploads), 0) from rollups where ${ROLLED}) as uploads,
            (select coalesce(sum(rows), 0) from uploads where ${RAW}) + (select coalesce(sum(rows), 0) from rollups where ${ROLLED}) as rows`,
    params(s),
  );
  return { devices: Number(r.devices), uploads: Number(r.uploads), rows: Number(r.rows) };
}

/** One stored piece of a selection: a raw upload or an hourly rollup, at time `t`. */
export type Piece = {
  payload: Uint8Array;
  devices: string[];
  uploads: number;
  rows: number;
  noise: NoiseScales;
  t: number;
};

export async function fetchPieces(db: Queryable, s: Selection): Promise<Piece[]> {
  return db.query<Piece>(
    `select payload, array[device_id] as devices, 1 as uploads, rows, window_start as t,
            case when noise_scale is null then '{}'::jsonb else jsonb_build_object(noise_scale::text, 1) end as noise
     from uploads where ${RAW}
     union all select payload, devices, uploads, rows, hour as t, noise from rollups where ${ROLLED}`,
    params(s),
  );
}

/** Merges the selection's payloads (the caller disposes the profile); see fold(). */
export async function aggregate(db: Queryable, core: Core, k: number, s: Selection): Promise<Aggregate> {
  const counts = await countSelection(db, s);
  if (counts.devices < k || counts.uploads === 0) return { suppressed: true, ...counts };
  return fold(core, k, await fetchPieces(db, s));
}

/**
 * Folds pieces with the core's merge. Payloads whose sketches cannot merge (e.g. a private-mode
 * grid next to a full histogram, or two different grids) fold into separate groups; the group
 * carrying the most rows is the aggregate, and `layouts` tells the reader how many groups there
 * were. k-anonymity applies to the whole selection and to the returned group itself.
 */
export function fold(core: Core, k: number, pieces: Piece[]): Aggregate {
  const all = new Set<string>();
  let uploads = 0;
  let rows = 0;
  for (const r of pieces) {
    for (const d of r.devices) all.add(d);
    uploads += Number(r.uploads);
    rows += Number(r.rows);
  }
  const counts = { devices: all.size, uploads, rows };
  if (all.size < k || uploads === 0) return { suppressed: true, ...counts };
  const groups: { profile: Profile; devices: Set<string>; uploads: number; rows: number; noise: NoiseScales }[] = [];
  for (const r of pieces) {
    const p = core.profileFromBytes(r.payload);
    // A failed merge leaves the accumulator untouched, so trying the next group is safe.
    let g = groups.find((x) => tryMerge(x.profile, p));
    if (g) p.dispose();
    else groups.push((g = { profile: p, devices: new Set(), uploads: 0, rows: 0, noise: {} }));
    for (const d of r.devices) g.devices.add(d);
    addNoise(g.noise, r.noise);
    g.uploads += Number(r.uploads);
    g.rows += Number(r.rows);
  }
  groups.sort((a, b) => b.rows - a.rows);
  const [main, ...rest] = groups;
  for (const g of rest) g.profile.dispose();
  if (main.devices.size < k) {
    main.profile.dispose();
    return { suppressed: true, ...counts };
  }
  return {
    suppressed: false,
    profile: main.profile,
    layouts: groups.length,
    noise: main.noise,
    devices: main.devices.size,
    uploads: main.uploads,
    rows: main.rows,
  };
}

function tryMerge(into: Profile, p: Profile): boolean {
  try {
    into.merge(p);
    return true;
  } catch {
    return false;
  }
}

/** Adds the upload counts per noise scale of `b` into `a`. */
export function addNoise(a: NoiseScales, b: NoiseScales): void {
  for (const [scale, n] of Object.entries(b)) a[scale] = (a[scale] ?? 0) + n;
}
