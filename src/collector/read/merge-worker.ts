// A merge thread (see merge-pool.ts): decodes stored payloads and folds them with its own copy of
// the core, so the wide merges behind every read, alert round and scrape never hold the thread
// that answers requests; it also runs the validating decode of each upload for ingest. A session is one aggregate in progress: its groups live here between
// pages and leave as bytes when it finishes.
import { parentPort } from 'node:worker_threads';
import { loadCore } from 'edgewatch';
import { uploadFacts } from '../ingest/upload-facts.ts';
import { mergeIntoGroup } from './merge-group.ts';
import type { MergeReply, MergeRequest } from './merge-protocol.ts';

type Profile = ReturnType<Awaited<ReturnType<typeof loadCore>>['profileFromBytes']>;
type Group = { sketch: Profile; members: number[] };

const core = await loadCore();
const sessions = new Map<number, Group[]>();
const port = parentPort!;

function add(groups: Group[], index: number, payload: Uint8Array): void {
  const p = core.profileFromBytes(payload);
  const g = mergeIntoGroup(groups, p);
  if (g) {
    p.dispose();
    g.members.push(index);
  } else groups.push({ sketch: p, members: [index] });
}

function drop(session: number): void {
  for (const g of sessions.get(session) ?? []) g.sketch.dispose();
  sessions.delete(session);
}

function handle(m: MergeRequest): MergeReply {
  switch (m.op) {
    case 'add': {
      let groups = sessions.get(m.session);
      if (!groups) sessions.set(m.session, (groups = []));
      const unreadable: MergeReply['unreadable'] = [];
      for (const { index, payload } of m.pieces) {
        try {
          add(groups, index, payload);
        } catch (err) {
          unreadable.push({ index, reason: (err as Error).message });
        }
      }
      return { id: m.id, ok: true, unreadable };
    }
    case 'finish': {
      const groups = (sessions.get(m.session) ?? []).map((g) => ({ bytes: g.sketch.toBytes(), members: g.members }));
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
