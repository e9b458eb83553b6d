// Merge threads: worker threads, each with its own copy of the core, that decode and fold the
// stored payloads of an aggregate (aggregate.ts). Decoding and merging wide payloads was most of
// the request thread's time under a flood of uploads (docs/benchmarks.md, `soak`); here it runs
// beside it, and the request thread only fetches pages and decodes the one merged result.
//
// A thread that dies (a crash in the core, out of memory) fails the aggregates it was folding —
// those reads answer 500 and are retried by their callers — and is started again; nothing stored
// is touched, since merging only reads.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-thread.ts';
import type { UploadFacts } from '../ingest/upload-facts.ts';
import type { MergeReply, MergeRequest, PlannedPiece } from './merge-protocol.ts';

type Pending = { resolve: (r: MergeReply) => void; reject: (e: Error) => void };
type Request = MergeRequest extends infer R ? (R extends MergeRequest ? Omit<R, 'id'> : never) : never;

class Thread {
  #worker!: Worker;
  #ready!: Promise<void>;
  #pending = new Map<number, Pending>();
  #next = 1;
  #closing = false;
  /** Counts restarts: a session begun on an earlier worker has lost its groups with it. */
  generation = 0;
  /** Sessions open on this thread: a new session goes to the least busy one. */
  sessions = 0;

  constructor() {
    this.#start();
  }

  #start(): void {
    const worker = startModuleWorker(new URL('./merge-worker.ts', import.meta.url));
    this.#worker = worker;
    this.#ready = new Promise((resolve, reject) => {
      this.#pending.set(0, { resolve: () => resolve(), reject });
    });
    this.#ready.catch(() => {});
    worker.on('message', (r: MergeReply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (!p) return;
      if (r.ok) p.resolve(r);
      else p.reject(new Error(r.error));
    });
    const fail = (why: string) => {
      if (this.#worker !== worker) return;
      const err = new Error(`a merge thread stopped (${why})`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      this.#next = 1;
      this.generation++;
      if (!this.#closing) {
        console.error(`edgewatch: ${err.message}; starting it again`);
        this.#start();
      }
    };
    worker.on('error', (err) => fail(err.message.split('\n')[0]));
    worker.on('exit', (code) => fail(`exit code ${code}`));
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async call(req: Request, generation: number): Promise<MergeReply> {
    await this.#ready;
    if (generation !== this.generation) throw new Error('a merge thread stopped while folding this read');
    const id = this.#next++;
    const reply = new Promise<MergeReply>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#worker.postMessage({ ...req, id });
    return reply;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
  }
}

/** One aggregate being folded on a merge thread. */
export class MergeSession {
  #done = false;
  readonly #generation: number;
  constructor(
    private readonly thread: Thread,
    private readonly id: number,
  ) {
    thread.sessions++;
    this.#generation = thread.generation;
  }

  /**
   * Names the aggregate's pieces before any is added: answers the indexes whose payloads the
   * thread needs, the others being raw uploads it has folded for `scope` before (merge-cache.ts).
   */
  async plan(scope: string, pieces: PlannedPiece[]): Promise<number[]> {
    return (await this.thread.call({ op: 'plan', session: this.id, scope, pieces }, this.#generation)).need ?? [];
  }

  /** Folds pieces in; answers those whose payload did not decode. */
  async add(pieces: { index: number; payload: Uint8Array }[]): Promise<{ index: number; reason: string }[]> {
    const r = await this.thread.call({ op: 'add', session: this.id, pieces }, this.#generation);
    return r.unreadable ?? [];
  }

  /** The merged groups, as bytes for the caller's core; ends the session. */
  async finish(): Promise<{ bytes: Uint8Array; members: number[] }[]> {
    this.#end();
    return (await this.thread.call({ op: 'finish', session: this.id }, this.#generation)).groups ?? [];
  }

  /** Ends the session without a result (a read that failed half way). */
  cancel(): void {
    if (this.#done) return;
    this.#end();
    this.thread.call({ op: 'drop', session: this.id }, this.#generation).catch(() => {});
  }

  #end(): void {
    if (!this.#done) this.thread.sessions--;
    this.#done = true;
  }
}

export class MergePool {
  #threads: Thread[];
  #sessions = 0;

  private constructor(threads: number) {
    this.#threads = Array.from({ length: threads }, () => new Thread());
  }

  /** Starts `threads` merge threads and waits until each has its core loaded. */
  static async start(threads: number): Promise<MergePool> {
    const pool = new MergePool(Math.max(1, threads));
    try {
      await Promise.all(pool.#threads.map((t) => t.ready()));
    } catch (err) {
      await pool.close();
      throw new Error(`the merge threads did not start: ${(err as Error).message}`);
    }
    return pool;
  }

  open(): MergeSession {
    return new MergeSession(this.#idlest(), ++this.#sessions);
  }

  /** An upload decoded and validated by the core on a merge thread: its facts, or why refused. */
  async inspect(payload: Uint8Array): Promise<{ facts: UploadFacts } | { refused: string }> {
    const thread = this.#idlest();
    const r = await thread.call({ op: 'inspect', session: 0, payload }, thread.generation);
    return r.facts ? { facts: r.facts } : { refused: r.refused ?? 'not decodable' };
  }

  #idlest(): Thread {
    return this.#threads.reduce((a, b) => (b.sessions < a.sessions ? b : a));
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((t) => t.close()));
  }
}

// aggregate() is called with the collector's core from many places (reads, alert rounds, SLOs,
// canaries, exports); the collector attaches its pool to that core once instead of every caller
// passing it along. A core without a pool (a test's, the CLI's) merges on its own thread. Several
// collectors in one process share the core: each attaches its own pool, the latest one serves.
const pools = new WeakMap<object, MergePool[]>();

export function attachMergePool(core: object, pool: MergePool): void {
  pools.set(core, [...(pools.get(core) ?? []), pool]);
}

export function detachMergePool(core: object, pool: MergePool): void {
  pools.set(
    core,
    (pools.get(core) ?? []).filter((p) => p !== pool),
  );
}

export function mergePoolOf(core: object): MergePool | undefined {
  return pools.get(core)?.at(-1);
}
