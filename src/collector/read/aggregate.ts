// Merge on read: the uploads of one model version, time range and segment, folded with the
// core's merge — whole days and hours from their rollups (rollup.ts), the rest from raw uploads. Every
// read goes through here, and here the k-anonymity rule is applied: an aggregate of fewer than k
// distinct devices is reported as suppressed, never built.
import type { Core, Profile } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { DAY, HOUR } from './rollup.ts';
import { yieldToLoop } from '../yield.ts';
import { mergeIntoGroup } from './merge-group.ts';
import { type MergePool, type MergeSession, mergePoolOf } from './merge-pool.ts';
import { UPLOAD_DEVICES, UPLOAD_NOISE } from './upload-sql.ts';

export interface Selection {
  projectId: number;
  model: string;
  version: string;
  /** Window starts in [from, to), ms. */
  from: number;
  to: number;
  /** Only uploads whose segment contains these key/values. */
  segment?: Record<string, string>;
  /** false: never answer from daily rollups (the caller cuts the range into sub-day steps). */
  days?: boolean;
}

export interface Counts {
  devices: number;
  uploads: number;
  rows: number;
}

/** Private-mode uploads in an aggregate: how many carried each noise scale (see noise.ts). */
export type NoiseScales = Record<string, number>;

/**
 * A suppressed aggregate says nothing of what it would hold, not even its devices or rows (a
 * count of 1 would say one device was there): only whether the range holds no upload at all.
 */
export type Aggregate =
  | { suppressed: true; empty: boolean }
  | ({ suppressed: false; profile: Profile; layouts: number; noise: NoiseScales } & Counts);

// Three levels, finest last: daily rollups over the whole days [$9, $10); hourly rollups over the
// whole hours [$7, $8), except those already folded into a covered day; raw uploads over the
// range, except those already folded into a covered hour. Each piece is counted exactly once,
// and a range whose raw rows (or hourly rows) were pruned is still whole at hour (or day) bounds.
// Private-mode (noisy) uploads count only from the whole hours of the range [$7, $8), like the
// rollups: what any read releases of them is a union of fixed, aligned hours, so two overlapping
// reads (or a rolling window read twice) differ by whole hours, never by a few uploads.
export const RAW = `project_id = $1 and model = $2 and version = $3 and window_start >= $4 and window_start < $5
             and ($6::jsonb is null or segment @> $6::jsonb)
             and not (rolled and window_start >= $7 and window_start < $8)
             and (noise_scale is null or (window_start >= $7 and window_start < $8))`;
export const ROLLED = `project_id = $1 and model = $2 and version = $3 and hour >= $7 and hour < $8
                and ($6::jsonb is null or segment @> $6::jsonb)
                and not (rolled and hour >= $9 and hour < $10)`;
export const DAILY = `project_id = $1 and model = $2 and version = $3 and day >= $9 and day < $10
               and ($6::jsonb is null or segment @> $6::jsonb)`;

function whole(from: number, to: number, span: number): [number, number] {
  const a = Math.ceil(from / span) * span;
  return [a, Math.max(a, Math.floor(to / span) * span)];
}

/** The parameters of RAW, ROLLED and DAILY ($1–$10) for a selection. */
export function params(s: Selection) {
  const [hourFrom, hourTo] = whole(s.from, s.to, HOUR);
  // Without days (reads cut into sub-day steps), the day range is empty: hourly rows answer.
  const [dayFrom, dayTo] = s.days === false ? [0, 0] : whole(s.from, s.to, DAY);
  return [s.projectId, s.model, s.version, s.from, s.to, s.segment ? JSON.stringify(s.segment) : null, hourFrom, hourTo, dayFrom, dayTo];
}

export async function countSelection(db: Queryable, s: Selection): Promise<Counts> {
  const [r] = await db.query<{ devices: number; uploads: number; rows: number }>(
    `select (select count(distinct d) from (select unnest(${UPLOAD_DEVICES}) as d from uploads where ${RAW}
                                            union all select unnest(devices) from rollups where ${ROLLED}
                                            union all select unnest(devices) from daily_rollups where ${DAILY}) x) as devices,
            (select count(*) from uploads where ${RAW}) + (select coalesce(sum(uploads), 0) from rollups where ${ROLLED})
              + (select coalesce(sum(uploads), 0) from daily_rollups where ${DAILY}) as uploads,
            (select coalesce(sum(rows), 0) from uploads where ${RAW}) + (select coalesce(sum(rows), 0) from rollups where ${ROLLED})
              + (select coalesce(sum(rows), 0) from daily_rollups where ${DAILY}) as rows`,
    params(s),
  );
  return { devices: Number(r.devices), uploads: Number(r.uploads), rows: Number(r.rows) };
}

/** One stored piece of a selection: a raw upload, an hourly or a daily rollup, at time `t`. */
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
    `select payload, ${UPLOAD_DEVICES} as devices, 1 as uploads, rows, window_start as t,
            ${UPLOAD_NOISE} as noise
     from uploads where ${RAW}
     union all select payload, devices, uploads, rows, hour as t, noise from rollups where ${ROLLED}
     union all select payload, devices, uploads, rows, day as t, noise from daily_rollups where ${DAILY}`,
    params(s),
  );
}

/** A piece without its payload: which table and row it is (see aggregate()). */
type PieceRef = Omit<Piece, 'payload'> & { src: 'uploads' | 'rollups' | 'daily_rollups'; id: number };

/** Payloads fetched per query while aggregating here: each query and its merges are one slice. */
const PAGE = 4;
/**
 * Payloads per query and per hand-over to a merge thread: their merging does not run on this
 * thread, so pages are larger (16 wide uploads are about 4 MB, copied once each way); in pages
 * of 4 a read of a thousand small uploads spent most of its time in round trips.
 */
const OFF_THREAD_PAGE = 16;

/**
 * Merges the selection's payloads (the caller disposes the profile); see fold(). The pieces'
 * counts come first, then their payloads a page at a time: a window of many wide uploads is
 * never one long query that holds every other statement up (PGlite has one connection). With the
 * collector's merge threads (merge-pool.ts) the pages are folded there and only the result is
 * decoded here; without them they are merged here, with the event loop given back between pages.
 */
export async function aggregate(db: Queryable, core: Core, k: number, s: Selection): Promise<Aggregate> {
  const counts = await countSelection(db, s);
  if (counts.devices < k || counts.uploads === 0) return suppressed(counts);
  const refs = await db.query<PieceRef>(
    `select 'uploads' as src, id, ${UPLOAD_DEVICES} as devices, 1 as uploads, rows, window_start as t,
            ${UPLOAD_NOISE} as noise
     from uploads where ${RAW}
     union all select 'rollups', id, devices, uploads, rows, hour as t, noise from rollups where ${ROLLED}
     union all select 'daily_rollups', id, devices, uploads, rows, day as t, noise from daily_rollups where ${DAILY}`,
    params(s),
  );
  const pool = mergePoolOf(core);
  if (pool) {
    // The merge thread names the pieces it needs: raw uploads it folded for this scope before
    // are not fetched again (merge-cache.ts).
    const scope = JSON.stringify([s.projectId, s.model, s.version, s.segment ?? null]);
    const planned = refs.map((r, index) => ({ index, key: `${r.src}:${r.id}`, t: Number(r.t), cacheable: r.src === 'uploads' }));
    return foldOffThread(core, pool, k, refs, async (session) => {
      const need = await session.plan(scope, planned);
      return (from, n) =>
        withPayloads(
          db,
          need.slice(from, from + n).map((index) => ({ ...refs[index], index })),
        ).then((page) => ({ page, done: from + n >= need.length }));
    });
  }
  const page = (from: number, n: number) =>
    withPayloads(
      db,
      refs.slice(from, from + n).map((r, j) => ({ ...r, index: from + j })),
    );
  return foldHere(core, k, refs, page);
}

/**
 * fold() of pieces already fetched (a drift timeline's range, cut into steps), folded as
 * aggregate() folds: on the merge threads when the collector has them, else here a page at a
 * time with the event loop given back between pages.
 */
export async function foldFetched(core: Core, k: number, pieces: Piece[]): Promise<Aggregate> {
  const counts = countsOf(pieces);
  if (counts.devices < k || counts.uploads === 0) return suppressed(counts);
  const pool = mergePoolOf(core);
  const page = async (from: number, n: number) => pieces.slice(from, from + n).map((p, j) => ({ ...p, index: from + j }));
  if (!pool) return foldHere(core, k, pieces, page);
  return foldOffThread(core, pool, k, pieces, async () => async (from, n) => ({
    page: await page(from, n),
    done: from + n >= pieces.length,
  }));
}

/** A page of pieces from the `from`th, at most `n`, with their payloads and their place in the list. */
type Pages = (from: number, n: number) => Promise<(Piece & { index: number })[]>;

async function foldHere(core: Core, k: number, refs: Omit<Piece, 'payload'>[], page: Pages): Promise<Aggregate> {
  const groups: Group<Profile>[] = [];
  try {
    for (let i = 0; i < refs.length; i += PAGE) {
      for (const piece of await page(i, PAGE)) addPiece(core, groups, piece);
      await yieldToLoop();
    }
  } catch (err) {
    for (const g of groups) g.sketch.dispose();
    throw err;
  }
  return result(k, countsOf(refs), groups);
}

/** The pages a merge session is fed, from the `from`th of those it needs; `done` after the last. */
type SessionPages = (
  session: MergeSession,
) => Promise<(from: number, n: number) => Promise<{ page: (Piece & { index: number })[]; done: boolean }>>;

async function foldOffThread(
  core: Core,
  pool: MergePool,
  k: number,
  refs: Omit<Piece, 'payload'>[],
  pagesOf: SessionPages,
): Promise<Aggregate> {
  const session = pool.open();
  let merged: { bytes: Uint8Array; members: number[] }[];
  try {
    const pages = await pagesOf(session);
    for (let i = 0, done = refs.length === 0; !done; i += OFF_THREAD_PAGE) {
      const next = await pages(i, OFF_THREAD_PAGE);
      done = next.done;
      for (const bad of await session.add(next.page.map((p) => ({ index: p.index, payload: p.payload })))) {
        leftOut(refs[bad.index].t, bad.reason);
      }
    }
    merged = await session.finish();
  } catch (err) {
    session.cancel();
    throw err;
  }
  const groups = merged.map(({ bytes, members }) => {
    const g: Group<Uint8Array> = { sketch: bytes, devices: new Set(), uploads: 0, rows: 0, noise: {} };
    for (const m of members) count(g, refs[m]);
    return g;
  });
  const main = chosen(k, countsOf(refs), groups);
  if (!main) return suppressed(countsOf(refs));
  return answer({ ...main, sketch: core.profileFromBytes(main.sketch) }, groups.length);
}

/** The refs with their payloads; a piece deleted meanwhile (retention, quarantine) is left out. */
async function withPayloads<R extends PieceRef>(db: Queryable, refs: R[]): Promise<(R & { payload: Uint8Array })[]> {
  const payloads = new Map<string, Uint8Array>();
  for (const src of ['uploads', 'rollups', 'daily_rollups'] as const) {
    const ids = refs.filter((r) => r.src === src).map((r) => r.id);
    if (ids.length === 0) continue;
    const rows = await db.query<{ id: number; payload: Uint8Array }>(`select id, payload from ${src} where id = any($1::bigint[])`, [ids]);
    for (const r of rows) payloads.set(`${src}:${r.id}`, r.payload);
  }
  return refs.flatMap((r) => {
    const payload = payloads.get(`${r.src}:${r.id}`);
    return payload ? [{ ...r, payload }] : [];
  });
}

/** Mergeable pieces folded together: a merged profile (or its bytes) and what it counts. */
type Group<T> = { sketch: T; devices: Set<string>; uploads: number; rows: number; noise: NoiseScales };

function countsOf(pieces: Omit<Piece, 'payload'>[]): Counts {
  const all = new Set<string>();
  let uploads = 0;
  let rows = 0;
  for (const r of pieces) {
    for (const d of r.devices) all.add(d);
    uploads += Number(r.uploads);
    rows += Number(r.rows);
  }
  return { devices: all.size, uploads, rows };
}

/**
 * Folds pieces with the core's merge. Payloads whose sketches cannot merge (e.g. a private-mode
 * grid next to a full histogram, or two different grids) fold into separate groups; the group
 * carrying the most rows is the aggregate, and `layouts` tells the reader how many groups there
 * were. k-anonymity applies to the whole selection and to the returned group itself.
 */
export function fold(core: Core, k: number, pieces: Piece[]): Aggregate {
  const counts = countsOf(pieces);
  if (counts.devices < k || counts.uploads === 0) return suppressed(counts);
  const groups: Group<Profile>[] = [];
  for (const r of pieces) addPiece(core, groups, r);
  return result(k, counts, groups);
}

function addPiece(core: Core, groups: Group<Profile>[], r: Piece): void {
  const p = readable(core, r);
  if (!p) return;
  let g = mergeIntoGroup(groups, p);
  if (g) p.dispose();
  else groups.push((g = { sketch: p, devices: new Set(), uploads: 0, rows: 0, noise: {} }));
  count(g, r);
}

function count(g: Group<unknown>, r: Omit<Piece, 'payload'>): void {
  for (const d of r.devices) g.devices.add(d);
  addNoise(g.noise, r.noise);
  g.uploads += Number(r.uploads);
  g.rows += Number(r.rows);
}

/** The group an aggregate reports: the one with the most rows, unless k-anonymity hides it. */
function chosen<T>(k: number, counts: Counts, groups: Group<T>[]): Group<T> | null {
  if (counts.devices < k || counts.uploads === 0) return null;
  const main = groups.reduce<Group<T> | null>((best, g) => (best && best.rows >= g.rows ? best : g), null);
  return main && main.devices.size >= k ? main : null;
}

/**
 * What a suppressed read shows of its counts: zeros when the range holds no upload at all (no
 * data, not a privacy matter), else nothing.
 */
export function suppressedCounts(agg: { empty: boolean }): Partial<Counts> {
  return agg.empty ? { devices: 0, uploads: 0, rows: 0 } : {};
}

function suppressed(counts: Counts): Aggregate {
  return { suppressed: true, empty: counts.uploads === 0 };
}

function result(k: number, counts: Counts, groups: Group<Profile>[]): Aggregate {
  const main = chosen(k, counts, groups);
  for (const g of groups) if (g !== main) g.sketch.dispose();
  return main ? answer(main, groups.length) : suppressed(counts);
}

function answer(main: Group<Profile>, layouts: number): Aggregate {
  return {
    suppressed: false,
    profile: main.sketch,
    layouts,
    noise: main.noise,
    devices: main.devices.size,
    uploads: main.uploads,
    rows: main.rows,
  };
}

/**
 * A piece's profile, or null when its payload no longer decodes: such a piece is left out of the
 * read (the next rollup round quarantines it, see quarantine.ts) instead of failing every read
 * that touches it.
 */
function readable(core: Core, r: Piece): Profile | null {
  try {
    return core.profileFromBytes(r.payload);
  } catch (err) {
    leftOut(r.t, (err as Error).message);
    return null;
  }
}

function leftOut(t: number, reason: string): void {
  console.error(`edgewatch read: a stored piece at ${new Date(Number(t)).toISOString()} does not decode, left out: ${reason}`);
}

/** Adds the upload counts per noise scale of `b` into `a`. */
export function addNoise(a: NoiseScales, b: NoiseScales): void {
  for (const [scale, n] of Object.entries(b)) a[scale] = (a[scale] ?? 0) + n;
}
