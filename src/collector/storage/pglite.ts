// PGlite adapter: PostgreSQL compiled to WebAssembly, running in this process on a data
// directory. Zero set-up; one process owns the directory at a time.
import { mkdirSync, statfsSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row } from './db.ts';
import { lockDirectory } from './dir-lock.ts';

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

/** PGlite's own start-up errors say little ("failed to initialize properly"): a full disk is named. */
function whyNotOpen(dir: string, err: unknown): string {
  const message = String((err as Error)?.message ?? err).split('\n')[0];
  try {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    if (free < 64 * 2 ** 20)
      return `only ${(free / 2 ** 20).toFixed(1)} MiB free on its disk; free some space and start again (${message})`;
  } catch {
    /* no figure: the original reason stands alone */
  }
  return message;
}

/** `memory://` (or no directory) is an in-memory database: tests, throwaway runs. */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  const inMemory = !dataDir || dataDir === 'memory://';
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const release = inMemory ? () => {} : lockDirectory(dataDir);
  // The codec is the database's own, not passed per query: per-query parsers are merged with
  // every default parser on each call.
  let pg: PGlite;
  try {
    pg = await PGlite.create(inMemory ? 'memory://' : dataDir, BYTEA_CODEC);
  } catch (err) {
    release();
    throw new Error(`PGlite cannot open data directory ${dataDir}: ${whyNotOpen(dataDir!, err)}`);
  }
  const wrap = (q: { query: PGlite['query'] }): Queryable => ({
    async query<T extends Row>(sql: string, params?: unknown[]) {
      const res = await q.query<T>(sql, params as unknown[]);
      return res.rows;
    },
  });
  const self = wrap(pg);
  return {
    kind: 'pglite',
    query: self.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: async () => {
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}
