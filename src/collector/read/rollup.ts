// Folds stored pieces into coarser ones in the background, so a read over months merges a few
// rollups instead of millions of uploads: uploads of closed hours into hourly rollups, hourly
// rollups of closed days into daily rollups. One round per level: for a bounded number of
// (model version, segment, period) keys with pieces not yet rolled, each key in its own
// transaction under an advisory lock (one collector at a time), merge its pieces into the key's
// open rollup rows and mark them rolled, so a crash leaves either both or neither. Keys are
// isolated: a piece that no longer decodes is quarantined (quarantine.ts), and a key that fails
// for any other reason is logged, counted and skipped — no other key, model or project waits
// on it, and retention still runs after the round. Late pieces into a rolled period
// are folded on a later round. A rollup already folded into the next level is frozen: late
// pieces go to a new row, so the daily fold never misses or repeats them. Pieces that cannot
// merge (e.g. private-mode grids next to full histograms) keep separate rows for the same key,
// as on the read path. Devices are kept as sets, so distinct counts stay exact at every level.
import type { Core, Profile } from '../core.ts';
import type { Db, Queryable } from '../storage/db.ts';
import type { Counter } from 'prom-client';
import { addNoise, type NoiseScales } from './aggregate.ts';
import { quarantine, type BadPiece, type Key } from './quarantine.ts';
import { yieldToLoop } from '../yield.ts';
import { UPLOAD_DEVICES, UPLOAD_NOISE } from './upload-sql.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const LOCK_ID = 7_406_512_003;

interface Level {
  source: string;
  time: string;
  /** Source columns as a piece: devices, uploads, rows, noise, received, first_window. */
  piece: string;
  target: string;
  period: string;
  span: number;
  /** Target rows still open to late pieces (not yet folded into the next level). */
  open: string;
}

const HOURLY: Level = {
  source: 'uploads',
  time: 'window_start',
  piece: `${UPLOAD_DEVICES} as devices, 1 as uploads, rows, received_at as received, window_start as first_window,
          ${UPLOAD_NOISE} as noise`,
  target: 'rollups',
  period: 'hour',
  span: HOUR,
  open: 'not rolled',
};

const DAILY: Level = {
  source: 'rollups',
  time: 'hour',
  piece: 'devices, uploads, rows, noise, received, coalesce(first_window, hour) as first_window',
  target: 'daily_rollups',
  period: 'day',
  span: DAY,
  open: 'true',
};

interface Group {
  id?: number;
  profile: Profile;
  devices: Set<string>;
  uploads: number;
  rows: number;
  noise: NoiseScales;
  /** When the newest upload behind it arrived (freshness once raw rows are pruned). */
  received: number;
  /** The start of the earliest window behind it (when its version began reporting, once raw rows are pruned). */
  firstWindow: number;
  changed: boolean;
}

export interface RollupCounters {
  /** Pieces moved to quarantine, by source table. */
  quarantined?: Counter;
  /** Keys whose roll failed for another reason (retried next round). */
  failed?: Counter;
}

/**
 * Rolls up to `maxKeys` keys of hours, then of days, that ended before `now`; returns how many
 * uploads it folded into hourly rollups.
 */
export async function rollupRound(db: Db, core: Core, now = Date.now(), maxKeys = 100, counters: RollupCounters = {}): Promise<number> {
  const hourly = await rollLevel(db, core, HOURLY, now, maxKeys, counters);
  if (hourly === null) return 0;
  await rollLevel(db, core, DAILY, now, maxKeys, counters);
  return hourly;
}

/** The uploads folded, or null when another collector holds the rollup lock. */
async function rollLevel(db: Db, core: Core, l: Level, now: number, maxKeys: number, counters: RollupCounters): Promise<number | null> {
  const closed = now - (now % l.span);
  const p = `${l.time} - ${l.time} % ${l.span}`;
  const keys = await db.query<Key>(
    `select project_id, model, version, segment, ${p} as period from ${l.source}
     where not rolled and ${l.time} < $1
     group by project_id, model, version, segment, ${p} order by period limit $2`,
    [closed, maxKeys],
  );
  let folded = 0;
  for (const k of keys) {
    try {
      const n = await db.transaction(async (tx) => {
        const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_ID]);
        return lock.ok ? rollKey(tx, core, l, k, counters) : null;
      });
      if (n === null) return null;
      folded += n;
    } catch (err) {
      counters.failed?.inc({ level: l.period });
      console.error(
        `edgewatch rollups: ${l.period} ${new Date(Number(k.period)).toISOString()} of project ${k.project_id} ` +
          `${k.model}@${k.version} failed, retried next round: ${String((err as Error)?.message ?? err).split('\n')[0]}`,
      );
    }
  }
  return folded;
}

/** Decodes a stored piece, or records why it cannot be read. */
function decoded(core: Core, source: BadPiece['source'], row: { id: number; payload: Uint8Array }, bad: BadPiece[]): Profile | null {
  try {
    return core.profileFromBytes(row.payload);
  } catch (err) {
    bad.push({ source, id: Number(row.id), reason: String((err as Error)?.message ?? err).split('\n')[0] });
    return null;
  }
}

/** A stored piece a rollup folds: raw uploads into an hour, hours into a day, or the open target. */
type Piece = {
  id: number;
  payload: Uint8Array;
  devices: string[];
  uploads: number;
  rows: number;
  noise: NoiseScales;
  received: number;
  first_window: number;
};

async function rollKey(tx: Queryable, core: Core, l: Level, k: Key, counters: RollupCounters): Promise<number> {
  const key = [k.project_id, k.model, k.version, JSON.stringify(k.segment), k.period];
  const match = 'project_id = $1 and model = $2 and version = $3 and segment = $4::jsonb';
  const pieces = await tx.query<Piece>(
    `select id, payload, ${l.piece} from ${l.source}
     where ${match} and ${l.time} >= $5 and ${l.time} < $5 + ${l.span} and not rolled order by id`,
    key,
  );
  const existing = await tx.query<Piece>(
    `select id, payload, devices, uploads, rows, noise, received, coalesce(first_window, ${l.period}) as first_window from ${l.target} where ${match} and ${l.period} = $5 and ${l.open} order by id`,
    key,
  );
  const bad: BadPiece[] = [];
  const groups: Group[] = [];
  for (const r of existing) {
    const profile = decoded(core, l.target as BadPiece['source'], r, bad);
    if (!profile) continue;
    groups.push({
      id: r.id,
      profile,
      devices: new Set(r.devices),
      uploads: Number(r.uploads),
      rows: Number(r.rows),
      noise: r.noise,
      received: Number(r.received),
      firstWindow: Number(r.first_window),
      changed: false,
    });
  }
  let uploads = 0;
  const rolled: number[] = [];
  try {
    for (const u of pieces) {
      await yieldToLoop(); // one piece per slice: a key of wide uploads does not hold the loop
      const p = decoded(core, l.source as BadPiece['source'], u, bad);
      if (!p) continue;
      rolled.push(u.id);
      let g = groups.find((x) => tryMerge(x.profile, p));
      if (g) p.dispose();
      else
        groups.push(
          (g = { profile: p, devices: new Set(), uploads: 0, rows: 0, noise: {}, received: 0, firstWindow: Infinity, changed: true }),
        );
      addNoise(g.noise, u.noise);
      for (const d of u.devices) g.devices.add(d);
      g.uploads += Number(u.uploads);
      g.rows += Number(u.rows);
      g.received = Math.max(g.received, Number(u.received));
      g.firstWindow = Math.min(g.firstWindow, Number(u.first_window));
      g.changed = true;
      uploads += Number(u.uploads);
    }
    for (const g of groups) {
      if (!g.changed) continue;
      const values = [g.profile.toBytes(), [...g.devices], g.uploads, g.rows, JSON.stringify(g.noise), g.received, g.firstWindow];
      if (g.id === undefined) {
        await tx.query(
          `insert into ${l.target} (project_id, model, version, segment, ${l.period}, payload, devices, uploads, rows, noise, received, first_window)
           values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [...key, ...values],
        );
      } else {
        await tx.query(
          `update ${l.target} set payload = $2, devices = $3, uploads = $4, rows = $5, noise = $6, received = $7, first_window = $8 where id = $1`,
          [g.id, ...values],
        );
      }
    }
    await tx.query(`update ${l.source} set rolled = true where id = any($1::bigint[])`, [rolled]);
    await quarantine(tx, k, bad, counters.quarantined);
    return uploads;
  } finally {
    for (const g of groups) g.profile.dispose();
  }
}

function tryMerge(into: Profile, p: Profile): boolean {
  try {
    into.merge(p);
    return true;
  } catch {
    return false;
  }
}
