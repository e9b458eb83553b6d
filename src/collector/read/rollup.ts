// Folds stored pieces into coarser ones in the background, so a read over months merges a few
// rollups instead of millions of uploads: uploads of closed hours into hourly rollups, hourly
// rollups of closed days into daily rollups. One round per level: under an advisory lock (one
// collector at a time), for a bounded number of (model version, segment, period) keys with
// pieces not yet rolled, merge them into that key's open rollup rows and mark them rolled — all
// in one transaction, so a crash leaves either both or neither. Late pieces into a rolled period
// are folded on a later round. A rollup already folded into the next level is frozen: late
// pieces go to a new row, so the daily fold never misses or repeats them. Pieces that cannot
// merge (e.g. private-mode grids next to full histograms) keep separate rows for the same key,
// as on the read path. Devices are kept as sets, so distinct counts stay exact at every level.
import type { Core, Profile } from '../core.ts';
import type { Db, Queryable } from '../storage/db.ts';
import { addNoise, type NoiseScales } from './aggregate.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const LOCK_ID = 7_406_512_003;

interface Level {
  source: string;
  time: string;
  /** Source columns as a piece: devices, uploads, rows, noise, received. */
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
  piece: `array[device_id] as devices, 1 as uploads, rows, received_at as received,
          case when noise_scale is null then '{}'::jsonb else jsonb_build_object(noise_scale::text, 1) end as noise`,
  target: 'rollups',
  period: 'hour',
  span: HOUR,
  open: 'not rolled',
};

const DAILY: Level = {
  source: 'rollups',
  time: 'hour',
  piece: 'devices, uploads, rows, noise, received',
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
  changed: boolean;
}

type Key = { project_id: number; model: string; version: string; segment: Record<string, string>; period: number };

/**
 * Rolls up to `maxKeys` keys of hours, then of days, that ended before `now`; returns how many
 * uploads it folded into hourly rollups.
 */
export async function rollupRound(db: Db, core: Core, now = Date.now(), maxKeys = 100): Promise<number> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_ID]);
    if (!lock.ok) return 0;
    const folded = await rollLevel(tx, core, HOURLY, now, maxKeys);
    await rollLevel(tx, core, DAILY, now, maxKeys);
    return folded;
  });
}

async function rollLevel(tx: Queryable, core: Core, l: Level, now: number, maxKeys: number): Promise<number> {
  const closed = now - (now % l.span);
  const p = `${l.time} - ${l.time} % ${l.span}`;
  const keys = await tx.query<Key>(
    `select project_id, model, version, segment, ${p} as period from ${l.source}
     where not rolled and ${l.time} < $1
     group by project_id, model, version, segment, ${p} order by period limit $2`,
    [closed, maxKeys],
  );
  let folded = 0;
  for (const k of keys) folded += await rollKey(tx, core, l, k);
  return folded;
}

async function rollKey(tx: Queryable, core: Core, l: Level, k: Key): Promise<number> {
  const key = [k.project_id, k.model, k.version, JSON.stringify(k.segment), k.period];
  const match = 'project_id = $1 and model = $2 and version = $3 and segment = $4::jsonb';
  const pieces = await tx.query<{ id: number; payload: Uint8Array; devices: string[]; uploads: number; rows: number; noise: NoiseScales; received: number }>(
    `select id, payload, ${l.piece} from ${l.source}
     where ${match} and ${l.time} >= $5 and ${l.time} < $5 + ${l.span} and not rolled order by id`,
    key,
  );
  const existing = await tx.query<{ id: number; payload: Uint8Array; devices: string[]; uploads: number; rows: number; noise: NoiseScales; received: number }>(
    `select id, payload, devices, uploads, rows, noise, received from ${l.target} where ${match} and ${l.period} = $5 and ${l.open} order by id`,
    key,
  );
  const groups: Group[] = existing.map((r) => ({
    id: r.id,
    profile: core.profileFromBytes(r.payload),
    devices: new Set(r.devices),
    uploads: Number(r.uploads),
    rows: Number(r.rows),
    noise: r.noise,
    received: Number(r.received),
    changed: false,
  }));
  let uploads = 0;
  try {
    for (const u of pieces) {
      const p = core.profileFromBytes(u.payload);
      let g = groups.find((x) => tryMerge(x.profile, p));
      if (g) p.dispose();
      else groups.push((g = { profile: p, devices: new Set(), uploads: 0, rows: 0, noise: {}, received: 0, changed: true }));
      addNoise(g.noise, u.noise);
      for (const d of u.devices) g.devices.add(d);
      g.uploads += Number(u.uploads);
      g.rows += Number(u.rows);
      g.received = Math.max(g.received, Number(u.received));
      g.changed = true;
      uploads += Number(u.uploads);
    }
    for (const g of groups) {
      if (!g.changed) continue;
      const values = [g.profile.toBytes(), [...g.devices], g.uploads, g.rows, JSON.stringify(g.noise), g.received];
      if (g.id === undefined) {
        await tx.query(
          `insert into ${l.target} (project_id, model, version, segment, ${l.period}, payload, devices, uploads, rows, noise, received)
           values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11)`,
          [...key, ...values],
        );
      } else {
        await tx.query(`update ${l.target} set payload = $2, devices = $3, uploads = $4, rows = $5, noise = $6, received = $7 where id = $1`, [g.id, ...values]);
      }
    }
    await tx.query(`update ${l.source} set rolled = true where id = any($1::bigint[])`, [pieces.map((u) => u.id)]);
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
