// The thread PGlite runs on (see pglite.ts). PGlite executes every statement synchronously on the
// thread that owns it; here that is not the thread answering requests, so an insert of wide
// uploads or a long read never holds up /healthz or the next request.
import { parentPort } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { PgliteReply, PgliteRequest } from './pglite-protocol.ts';

// bytea. A parameter goes in PostgreSQL's binary format: PGlite binds a byte array that a
// serializer returns as raw bytes, so an upload's payload is copied once into the message instead
// of being spelled out as hex text (twice its size), measured for UTF-8 character by character in
// JavaScript and parsed back by the server. (PGlite's types say a serializer returns text; its
// bind takes either.) Results come as hex text: PGlite's own parser converts byte by byte in
// JavaScript, Buffer's hex codec does the same in native code.
const BYTEA = 17;
const asBinaryParam = ((v: Uint8Array | string) => v) as (v: unknown) => string;
const BYTEA_CODEC = {
  serializers: { [BYTEA]: asBinaryParam },
  parsers: {
    [BYTEA]: (text: string) => {
      const b = Buffer.from(text.slice(2), 'hex');
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  },
};

const port = parentPort!;
let pg: PGlite | undefined;
const ROLLBACK = new Error('rolled back');

/** An open transaction: it holds PGlite's lock until the collector ends it. */
interface Open {
  tx?: Transaction;
  end: (commit: boolean) => void;
  /** Settles when PGlite has committed (or rolled back) it. */
  done?: Promise<void>;
}
const transactions = new Map<number, Open>();

async function handle(m: PgliteRequest): Promise<Record<string, unknown>[] | undefined> {
  switch (m.op) {
    case 'open':
      // The codec is the database's own, not passed per query: per-query parsers are merged with
      // every default parser on each call.
      pg = await PGlite.create(m.dataDir, BYTEA_CODEC);
      return;
    case 'query': {
      const q = m.tx === 0 ? pg! : transactions.get(m.tx)?.tx;
      if (!q) throw new Error('the transaction has ended');
      return (await q.query<Record<string, unknown>>(m.sql, m.params)).rows;
    }
    case 'begin': {
      let started!: () => void;
      const begun = new Promise<void>((resolve) => (started = resolve));
      const open: Open = { end: () => {} };
      open.done = pg!.transaction(
        (tx) =>
          new Promise<void>((commit, rollback) => {
            open.tx = tx;
            open.end = (yes) => (yes ? commit() : rollback(ROLLBACK));
            transactions.set(m.tx, open);
            started();
          }),
      );
      open.done.finally(() => transactions.delete(m.tx)).catch(() => {});
      // A transaction that cannot begin rejects `done` before it ever starts.
      await Promise.race([begun, open.done]);
      return;
    }
    case 'end': {
      const t = transactions.get(m.tx);
      if (!t) throw new Error('the transaction has ended');
      t.end(m.commit);
      try {
        await t.done;
      } catch (err) {
        // A failed COMMIT is the collector's to know: it must not acknowledge what it wrote.
        if (err !== ROLLBACK) throw err;
      }
      return;
    }
    case 'close':
      await pg?.close();
      return;
  }
}

port.on('message', (m: PgliteRequest) => {
  handle(m).then(
    (rows) => port.postMessage({ id: m.id, ok: true, rows } satisfies PgliteReply),
    (err: Error & { code?: string }) =>
      port.postMessage({ id: m.id, ok: false, error: { message: String(err?.message ?? err), code: err?.code } } satisfies PgliteReply),
  );
});
