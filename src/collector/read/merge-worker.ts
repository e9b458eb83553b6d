// A merge thread (see merge-pool.ts): decodes stored payloads and folds them with its own copy of
// the core, so the wide merges behind every read, alert round and scrape never hold the thread
// that answers requests; it also runs the validating decode of each upload for ingest. A session
// is one aggregate in progress: its groups live here between pages and leave as bytes when it
// finishes. A session that begins with a plan reuses the raw uploads this thread has folded
// before (merge-cache.ts) and asks only for the payloads it has not.
import { parentPort } from 'node:worker_threads';
import { loadCore } from 'edgewatch';
import { uploadFacts } from '../ingest/upload-facts.ts';
import { BUCKET_MS, BucketCache, type Bucket, copyBucket, disposeBucket, emptyBucket, footprint } from './merge-cache.ts';
import { foldInto, mergeIntoGroup } from './merge-group.ts';
import type { MergeReply, MergeRequest, PlannedPiece } from './merge-protocol.ts';

type Profile = ReturnType<Awaited<ReturnType<typeof loadCore>>['profileFromBytes']>;
type Group = { sketch: Profile; members: number[] };

/** One bucket of a planned session: what the cache had, and the copy this session extends. */
type BucketWork = { key: string; base?: Bucket; work?: Bucket };

interface Session {
  /** Pieces folded outside any bucket (rollups, unplanned sessions). */
  groups: Group[];
  /** The planned pieces: which bucket each goes to, and each one's place by name. */
  bucketOf: Map<number, BucketWork>;
  keyOf: Map<number, string>;
  indexOf: Map<string, number>;
  buckets: BucketWork[];
}

const core = await loadCore();
const cache = new BucketCache();
const sessions = new Map<number, Session>();
const port = parentPort!;

function sessionOf(id: number): Session {
  let s = sessions.get(id);
  if (!s) sessions.set(id, (s = { groups: [], bucketOf: new Map(), keyOf: new Map(), indexOf: new Map(), buckets: [] }));
  return s;
}

/** Sorts the pieces into buckets and answers which of them this thread has not folded yet. */
function plan(s: Session, scope: string, pieces: PlannedPiece[]): number[] {
  const now = Date.now();
  const asked = new Map<string, Set<string>>();
  const need: number[] = [];
  for (const p of pieces) {
    if (!p.cacheable) {
      need.push(p.index);
      continue;
    }
    const key = `${scope}|${Math.floor(p.t / BUCKET_MS)}`;
    let keys = asked.get(key);
    if (!keys) {
      asked.set(key, (keys = new Set()));
      s.buckets.push({ key });
    }
    keys.add(p.key);
    s.keyOf.set(p.index, p.key);
    s.indexOf.set(p.key, p.index);
  }
  for (const w of s.buckets) {
    const keys = asked.get(w.key)!;
    const base = cache.take(w.key, now);
    if (base && [...base.keys].every((k) => keys.has(k))) w.base = base;
    else if (base) cache.release(base);
    for (const k of keys) {
      const index = s.indexOf.get(k)!;
      s.bucketOf.set(index, w);
      if (!w.base?.keys.has(k)) need.push(index);
    }
  }
  return need.sort((a, b) => a - b);
}

function add(s: Session, index: number, payload: Uint8Array): void {
  const w = s.bucketOf.get(index);
  if (!w) {
    foldInto(s.groups, core.profileFromBytes(payload), index);
    return;
  }
  const key = s.keyOf.get(index)!;
  w.work ??= w.base ? copyBucket(core, w.base) : emptyBucket();
  if (w.work.keys.has(key)) return;
  foldInto(w.work.groups, core.profileFromBytes(payload), key);
  w.work.keys.add(key);
}

/** The session's groups with each bucket's folded in; keeps the buckets it extended. */
function finish(s: Session): { bytes: Uint8Array; members: number[] }[] {
  const now = Date.now();
  for (const w of s.buckets) {
    for (const g of (w.work ?? w.base)?.groups ?? []) {
      const members = g.members.map((k) => s.indexOf.get(k)!);
      const into = mergeIntoGroup(s.groups, g.sketch);
      if (into) into.members.push(...members);
      else s.groups.push({ sketch: core.profileFromBytes(g.sketch.toBytes()), members });
    }
  }
  const out = s.groups.map((g) => ({ bytes: g.sketch.toBytes(), members: g.members }));
  for (const w of s.buckets) {
    if (w.work) {
      w.work.bytes = footprint(w.work);
      cache.put(w.key, w.work, now);
      w.work = undefined;
    }
  }
  return out;
}

function drop(id: number): void {
  const s = sessions.get(id);
  sessions.delete(id);
  if (!s) return;
  for (const g of s.groups) g.sketch.dispose();
  for (const w of s.buckets) {
    if (w.base) cache.release(w.base);
    if (w.work && !w.work.cached) disposeBucket(w.work);
  }
}

function handle(m: MergeRequest): MergeReply {
  switch (m.op) {
    case 'plan':
      return { id: m.id, ok: true, need: plan(sessionOf(m.session), m.scope, m.pieces) };
    case 'add': {
      const s = sessionOf(m.session);
      const unreadable: MergeReply['unreadable'] = [];
      for (const { index, payload } of m.pieces) {
        try {
          add(s, index, payload);
        } catch (err) {
          unreadable.push({ index, reason: (err as Error).message });
        }
      }
      return { id: m.id, ok: true, unreadable };
    }
    case 'finish': {
      const groups = finish(sessionOf(m.session));
      drop(m.session);
      return { id: m.id, ok: true, groups };
    }
    case 'drop':
      drop(m.session);
      return { id: m.id, ok: true };
    case 'inspect':
      return { id: m.id, ok: true, ...uploadFacts(core, m.payload) };
  }
}

port.on('message', (m: MergeRequest) => {
  let reply: MergeReply;
  try {
    reply = handle(m);
  } catch (err) {
    drop(m.session);
    reply = { id: m.id, ok: false, error: (err as Error).message };
  }
  port.postMessage(
    reply,
    (reply.groups ?? []).map((g) => g.bytes.buffer as ArrayBuffer),
  );
});
port.postMessage({ id: 0, ok: true } satisfies MergeReply);
