// Folds stored pieces into coarser ones in the background, so a read over months merges a few
// rollups instead of millions of uploads: uploads of closed hours into hourly rollups, hourly
// rollups of closed days into daily rollups. One round per level: for a bounded number of
// (model version, segment, period) keys with pieces not yet rolled, a chunk of a key's pieces at a
// time: read and merge the chunk (on the collector's merge threads, fold-payloads.ts), then in one
// transaction under an advisory lock (one collector at a time) write the key's open rollup rows
// and mark the pieces rolled, so a crash leaves either both or neither. Keys are
// isolated: a piece that no longer decodes is quarantined (quarantine.ts), and a key that fails
// for any other reason is logged, counted and skipped — no other key, model or project waits
// on it, and retention still runs after the round. Late pieces into a rolled period
// are folded on a later round. A rollup already folded into the next level is frozen: late
// pieces go to a new row, so the daily fold never misses or repeats them. Pieces that cannot
// merge (e.g. private-mode grids next to full histograms) keep separate rows for the same key,
// as on the read path. Devices are kept as sets, so distinct counts stay exact at every level.
import type { Core } from '../core.ts';
import type { Db, Queryable } from '../storage/db.ts';
import type { Counter } from 'prom-client';
import { addNoise, type NoiseScales } from './aggregate.ts';
import { quarantine, type BadPiece, type Key } from './quarantine.ts';
import { type Folded, foldPayloads } from './fold-payloads.ts';
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

/**
 * Pieces folded per transaction. A key is folded a chunk at a time, each chunk in its own
 * transaction: a closed hour of a flood (hundreds of wide uploads) never holds PGlite's one
 * connection, nor fetches every payload, for longer than one chunk, so ingest goes on meanwhile.
 */
export const PIECES_PER_TRANSACTION = 16;

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
      for (;;) {
        const chunk = await rollChunk(db, core, l, k, counters);
        if (chunk === null) return null;
        folded += chunk.uploads;
        if (chunk.changed) break; // another collector rolled this key meanwhile: next round
        // Every piece read was either folded or quarantined: a short chunk was the key's last.
        if (chunk.pieces < PIECES_PER_TRANSACTION) break;
      }
    } catch (err) {
      counters.failed?.inc({ level: l.period });
      console.error(
        `edgewatch rollups: ${l.period} ${new Date(Number(k.period)).toISOString()} of project ${k.project_id} ` +
          `${k.model}@${k.version} failed, retried next round: ${firstLine(err)}`,
      );
    }
  }
  return folded;
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0];

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

/**
 * Folds the key's oldest unrolled pieces (at most PIECES_PER_TRANSACTION) into its open target
 * rows; answers how many pieces it read and uploads it folded, or null when another collector
 * holds the rollup lock. The pieces are read and merged before the transaction opens, so the
 * connection (PGlite's only one) is held just for the writes; the transaction first checks that
 * what was read is still there as read (`changed` if not: nothing is written, the key waits for
 * the next round).
 */
async function rollChunk(
  db: Db,
  core: Core,
  l: Level,
  k: Key,
  counters: RollupCounters,
): Promise<{ pieces: number; uploads: number; changed?: boolean } | null> {
  const key = [k.project_id, k.model, k.version, JSON.stringify(k.segment), k.period];
  const match = 'project_id = $1 and model = $2 and version = $3 and segment = $4::jsonb';
  const openRows = `from ${l.target} where ${match} and ${l.period} = $5 and ${l.open}`;
  const existing = await db.query<Piece>(
    `select id, payload, devices, uploads, rows, noise, received, coalesce(first_window, ${l.period}) as first_window ${openRows} order by id`,
    key,
  );
  const pieces = await db.query<Piece>(
    `select id, payload, ${l.piece} from ${l.source}
     where ${match} and ${l.time} >= $5 and ${l.time} < $5 + ${l.span} and not rolled order by id limit $6`,
    [...key, PIECES_PER_TRANSACTION],
  );
  // The open rows first, so each piece goes to the first of them that takes it, as it always has.
  const all = [...existing, ...pieces];
  const isTarget = (i: number) => i < existing.length;
  const { groups, unreadable } = await foldPayloads(
    core,
    all.map((r) => r.payload),
  );
  // Each fold into an open row adds to its uploads: the rows' ids and uploads say whether they changed.
  const state = (rows: { id: number; uploads: number }[]) => rows.map((r) => `${r.id}:${r.uploads}`).join(',');
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_ID]);
    if (!lock.ok) return null;
    const [left] = await tx.query<{ n: number }>(`select count(*)::int as n from ${l.source} where id = any($1::bigint[]) and not rolled`, [
      pieces.map((p) => p.id),
    ]);
    const now = await tx.query<{ id: number; uploads: number }>(`select id, uploads ${openRows} order by id`, key);
    if (Number(left.n) !== pieces.length || state(now) !== state(existing)) return { pieces: 0, uploads: 0, changed: true };
    return { pieces: pieces.length, uploads: await write(tx, l, k, { key, all, isTarget, groups, unreadable }, counters) };
  });
}

/** A chunk read and merged: the open rows then the pieces (`all`), and their merged groups. */
type Chunk = Folded & { key: unknown[]; all: Piece[]; isTarget: (i: number) => boolean };

/**
 * The chunk's writes, in its transaction: merged rows, pieces marked rolled, the unreadable
 * quarantined; answers the uploads folded.
 */
async function write(
  tx: Queryable,
  l: Level,
  k: Key,
  { key, all, isTarget, groups, unreadable }: Chunk,
  counters: RollupCounters,
): Promise<number> {
  const bad: BadPiece[] = unreadable.map(({ index, reason }) => ({
    source: (isTarget(index) ? l.target : l.source) as BadPiece['source'],
    id: Number(all[index].id),
    reason: reason.split('\n')[0],
  }));
  let uploads = 0;
  const rolled: number[] = [];
  for (const { bytes, members } of groups) {
    const added = members.filter((i) => !isTarget(i));
    if (added.length === 0) continue; // an open row nothing new went into
    const sum = totals(members.map((i) => all[i]));
    const values = [bytes, [...sum.devices], sum.uploads, sum.rows, JSON.stringify(sum.noise), sum.received, sum.firstWindow];
    const [row, ...merged] = members.filter(isTarget).map((i) => all[i].id);
    if (row === undefined) {
      await tx.query(
        `insert into ${l.target} (project_id, model, version, segment, ${l.period}, payload, devices, uploads, rows, noise, received, first_window)
         values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [...key, ...values],
      );
    } else {
      await tx.query(
        `update ${l.target} set payload = $2, devices = $3, uploads = $4, rows = $5, noise = $6, received = $7, first_window = $8 where id = $1`,
        [row, ...values],
      );
    }
    // Open rows that merged with each other are one row now (their counts are in `row`).
    if (merged.length > 0) await tx.query(`delete from ${l.target} where id = any($1::bigint[])`, [merged]);
    for (const i of added) {
      rolled.push(all[i].id);
      uploads += Number(all[i].uploads);
    }
  }
  await tx.query(`update ${l.source} set rolled = true where id = any($1::bigint[])`, [rolled]);
  await quarantine(tx, k, bad, counters.quarantined);
  return uploads;
}

/** What a group of pieces counts, together. */
function totals(pieces: Piece[]) {
  const sum = { devices: new Set<string>(), uploads: 0, rows: 0, noise: {} as NoiseScales, received: 0, firstWindow: Infinity };
  for (const p of pieces) {
    for (const d of p.devices) sum.devices.add(d);
    sum.uploads += Number(p.uploads);
    sum.rows += Number(p.rows);
    addNoise(sum.noise, p.noise);
    sum.received = Math.max(sum.received, Number(p.received));
    sum.firstWindow = Math.min(sum.firstWindow, Number(p.first_window));
  }
  return sum;
}
