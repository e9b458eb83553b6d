// Folds uploads of closed hours into hourly rollups, so a read over days merges a few rollups
// instead of thousands of uploads. One round: under an advisory lock (one collector at a time),
// for a bounded number of (model version, segment, hour) keys with uploads not yet rolled, merge
// them into that key's rollup rows and mark them rolled — all in one transaction, so a crash
// leaves either both or neither. Late uploads into a rolled hour are folded on a later round.
// Uploads that cannot merge (e.g. private-mode grids next to full histograms) keep separate
// rollup rows for the same key, as on the read path.
import type { Core, Profile } from '../core.ts';
import type { Db, Queryable } from '../storage/db.ts';
import { addNoise, type NoiseScales } from './aggregate.ts';

export const HOUR = 3_600_000;
const LOCK_ID = 7_406_512_003;

interface Group {
  id?: number;
  profile: Profile;
  devices: Set<string>;
  uploads: number;
  rows: number;
  noise: NoiseScales;
  changed: boolean;
}

/** Rolls up to `maxKeys` keys of hours that ended before `now`; returns how many uploads it folded. */
export async function rollupRound(db: Db, core: Core, now = Date.now(), maxKeys = 100): Promise<number> {
  const closed = now - (now % HOUR);
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_ID]);
    if (!lock.ok) return 0;
    const keys = await tx.query<{ project_id: number; model: string; version: string; segment: Record<string, string>; hour: number }>(
      `select project_id, model, version, segment, window_start - window_start % ${HOUR} as hour from uploads
       where not rolled and window_start < $1
       group by project_id, model, version, segment, window_start - window_start % ${HOUR}
       order by hour limit $2`,
      [closed, maxKeys],
    );
    let folded = 0;
    for (const k of keys) folded += await rollKey(tx, core, k);
    return folded;
  });
}

async function rollKey(
  tx: Queryable,
  core: Core,
  k: { project_id: number; model: string; version: string; segment: Record<string, string>; hour: number },
): Promise<number> {
  const key = [k.project_id, k.model, k.version, JSON.stringify(k.segment), k.hour];
  const match = 'project_id = $1 and model = $2 and version = $3 and segment = $4::jsonb';
  const uploads = await tx.query<{ id: number; payload: Uint8Array; device_id: string; rows: number; noise_scale: number | null }>(
    `select id, payload, device_id, rows, noise_scale from uploads
     where ${match} and window_start >= $5 and window_start < $5 + ${HOUR} and not rolled order by id`,
    key,
  );
  const existing = await tx.query<{ id: number; payload: Uint8Array; devices: string[]; uploads: number; rows: number; noise: NoiseScales }>(
    `select id, payload, devices, uploads, rows, noise from rollups where ${match} and hour = $5 order by id`,
    key,
  );
  const groups: Group[] = existing.map((r) => ({
    id: r.id,
    profile: core.profileFromBytes(r.payload),
    devices: new Set(r.devices),
    uploads: r.uploads,
    rows: r.rows,
    noise: r.noise,
    changed: false,
  }));
  try {
    for (const u of uploads) {
      const p = core.profileFromBytes(u.payload);
      let g = groups.find((x) => tryMerge(x.profile, p));
      if (g) p.dispose();
      else groups.push((g = { profile: p, devices: new Set(), uploads: 0, rows: 0, noise: {}, changed: true }));
      if (u.noise_scale !== null) addNoise(g.noise, { [String(u.noise_scale)]: 1 });
      g.devices.add(u.device_id);
      g.uploads += 1;
      g.rows += u.rows;
      g.changed = true;
    }
    for (const g of groups) {
      if (!g.changed) continue;
      const values = [g.profile.toBytes(), [...g.devices], g.uploads, g.rows, JSON.stringify(g.noise)];
      if (g.id === undefined) {
        await tx.query(
          `insert into rollups (project_id, model, version, segment, hour, payload, devices, uploads, rows, noise)
           values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10)`,
          [...key, ...values],
        );
      } else {
        await tx.query('update rollups set payload = $2, devices = $3, uploads = $4, rows = $5, noise = $6 where id = $1', [g.id, ...values]);
      }
    }
    await tx.query('update uploads set rolled = true where id = any($1::bigint[])', [uploads.map((u) => u.id)]);
    return uploads.length;
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
