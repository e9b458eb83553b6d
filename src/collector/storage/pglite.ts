// PGlite adapter: PostgreSQL compiled to WebAssembly, running in this process (on a thread of its
// own) on a data directory. Zero set-up; one process owns the directory at a time.
import { mkdirSync, statfsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { Db, Queryable, Row } from './db.ts';
import { lockDirectory } from './dir-lock.ts';
import type { PgliteReply, PgliteRequest } from './pglite-protocol.ts';
import { startModuleWorker } from '../worker-thread.ts';

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

/** The PGlite thread: requests in, replies out, matched by id. */
class PgliteThread {
  #worker: Worker;
  #pending = new Map<number, { resolve: (r: Row[] | undefined) => void; reject: (e: Error) => void }>();
  #next = 1;
  #stopped: string | undefined;

  constructor() {
    this.#worker = startModuleWorker(new URL('./pglite-worker.ts', import.meta.url));
    this.#worker.on('message', (r: PgliteReply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (!p) return;
      if (r.ok) p.resolve(r.rows as Row[] | undefined);
      else p.reject(Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {}));
    });
    const stop = (why: string) => {
      if (this.#stopped) return;
      this.#stopped = why;
      const err = new Error(`the database thread stopped (${why})`);
      if (this.#pending.size > 0 || why !== 'closed') console.error(`edgewatch: ${err.message}`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', (err) => stop(err.message.split('\n')[0]));
    this.#worker.on('exit', (code) => stop(code === 0 ? 'closed' : `exit code ${code}`));
  }

  call(req: DistributiveOmit<PgliteRequest, 'id'>): Promise<Row[] | undefined> {
    if (this.#stopped) return Promise.reject(new Error(`the database thread stopped (${this.#stopped})`));
    const id = this.#next++;
    const reply = new Promise<Row[] | undefined>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#worker.postMessage({ ...req, id });
    return reply;
  }

  async stop(): Promise<void> {
    this.#stopped ??= 'closed';
    await this.#worker.terminate();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * `memory://` (or no directory) is an in-memory database: tests, throwaway runs. PGlite runs on
 * a thread of its own (pglite-worker.ts): it executes statements synchronously, and on this
 * thread every insert of wide uploads held up every request behind it.
 */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  const inMemory = !dataDir || dataDir === 'memory://';
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const release = inMemory ? () => {} : lockDirectory(dataDir);
  const thread = new PgliteThread();
  try {
    await thread.call({ op: 'open', dataDir: inMemory ? 'memory://' : dataDir });
  } catch (err) {
    await thread.stop();
    release();
    throw new Error(`PGlite cannot open data directory ${dataDir}: ${whyNotOpen(dataDir!, err)}`);
  }
  const on = (tx: number): Queryable => ({
    async query<T extends Row>(sql: string, params?: unknown[]) {
      return ((await thread.call({ op: 'query', tx, sql, params })) ?? []) as T[];
    },
  });
  let nextTx = 1;
  return {
    kind: 'pglite',
    query: on(0).query,
    async transaction(fn) {
      const tx = nextTx++;
      await thread.call({ op: 'begin', tx });
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(on(tx));
      } catch (err) {
        await thread.call({ op: 'end', tx, commit: false }).catch(() => {});
        throw err;
      }
      await thread.call({ op: 'end', tx, commit: true });
      return result;
    },
    close: async () => {
      try {
        await thread.call({ op: 'close' });
      } finally {
        await thread.stop();
        release();
      }
    },
  };
}
