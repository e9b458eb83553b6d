// Where windows wait: the open window's checkpoint, the outbox of closed windows, and a few small
// records (device id, privacy budget, cached grid, count of dropped windows). IndexedDB through idb
// when it works; an in-memory twin when it does not (private mode, quota, a blocked upgrade), so
// that monitoring never breaks the host app. Both live behind one interface.
import { openDB, type IDBPDatabase } from 'idb';

/** The open window of one running monitor instance, saved every few seconds. */
export interface Checkpoint {
  /** `instanceId/windowStart`: a closing window and the next one never share a record. */
  key: string;
  instanceId: string;
  windowStart: number;
  windowEnd: number;
  /** The profile's bytes (core codec). Stays on the device. */
  bytes: Uint8Array;
  /** Events recorded so far in this window (the private mode's contribution bound counts them). */
  events: number;
}

/** A closed window waiting for the collector's acknowledgement. */
export interface OutboxEntry {
  uploadId: string;
  /** Entries of one group (model version, segment, privacy) may be merged into coarser windows. */
  group: string;
  windowStart: number;
  windowEnd: number;
  /** The payload exactly as it is POSTed: profile bytes with the header in `meta`. */
  bytes: Uint8Array;
  /** Upload attempts so far: an entry that was ever sent keeps its bytes (idempotency). */
  attempts: number;
  /** Earliest time of the next attempt (backoff, Retry-After). */
  notBefore: number;
  /** Events the window holds (inference rows, failures, feedback rows). */
  events?: number;
  /**
   * Fewer events than `privacy.minRowsPerWindow`: never sent, merged into the group's next
   * closed window (a window of one row would carry that row's exact values).
   */
  held?: boolean;
  /**
   * A secure-mode window: never merged (a window is its batch, and merging would exceed the
   * rows cap the noise is calibrated to). Sealed into its report, once, before its first upload.
   */
  secure?: boolean;
  /** `bytes` hold the sealed report (JSON) instead of the window's profile. */
  sealed?: boolean;
}

/** Held windows (their upload ids) and the closing window merged with them. */
export interface Fold {
  held: string[];
  merged: OutboxEntry;
}

export interface Store {
  /** 'indexeddb' or 'memory' (after a failure, or when IndexedDB is missing). */
  readonly kind: 'indexeddb' | 'memory';
  putCheckpoint(c: Checkpoint): Promise<void>;
  deleteCheckpoint(key: string): Promise<void>;
  checkpoints(): Promise<Checkpoint[]>;
  /**
   * Moves a checkpoint to the outbox atomically: a crash between the two loses or doubles nothing.
   * With `fold`, `fold.merged` (the entry merged with held windows) goes in instead, and the held
   * windows out, in the same transaction, if they are all still there; else the entry alone.
   */
  closeCheckpoint(key: string, entry: OutboxEntry | null, fold?: Fold): Promise<void>;
  putOutbox(e: OutboxEntry): Promise<void>;
  /** Replaces `remove` entries by `add` in one step (compaction). */
  replaceOutbox(remove: string[], add: OutboxEntry[]): Promise<void>;
  deleteOutbox(uploadId: string): Promise<void>;
  /** Oldest window first. */
  outbox(): Promise<OutboxEntry[]>;
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Reads a record, lets `fn` compute its next value, writes it, in one transaction. */
  update<T>(key: string, fn: (old: T | undefined) => T): Promise<T>;
  close(): void;
}

const OPEN = 'open';
const OUTBOX = 'outbox';
const KV = 'kv';

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  #open = new Map<string, Checkpoint>();
  #outbox = new Map<string, OutboxEntry>();
  #kv = new Map<string, unknown>();

  async putCheckpoint(c: Checkpoint) {
    this.#open.set(c.key, c);
  }
  async deleteCheckpoint(id: string) {
    this.#open.delete(id);
  }
  async checkpoints() {
    return [...this.#open.values()];
  }
  async closeCheckpoint(id: string, entry: OutboxEntry | null, fold?: Fold) {
    this.#open.delete(id);
    if (fold && fold.held.every((h) => this.#outbox.get(h)?.held)) {
      for (const h of fold.held) this.#outbox.delete(h);
      this.#outbox.set(fold.merged.uploadId, fold.merged);
    } else if (entry) {
      this.#outbox.set(entry.uploadId, entry);
    }
  }
  async putOutbox(e: OutboxEntry) {
    this.#outbox.set(e.uploadId, e);
  }
  async replaceOutbox(remove: string[], add: OutboxEntry[]) {
    for (const id of remove) this.#outbox.delete(id);
    for (const e of add) this.#outbox.set(e.uploadId, e);
  }
  async deleteOutbox(id: string) {
    this.#outbox.delete(id);
  }
  async outbox() {
    return [...this.#outbox.values()].sort(byWindow);
  }
  async get<T>(key: string) {
    return this.#kv.get(key) as T | undefined;
  }
  async set(key: string, value: unknown) {
    this.#kv.set(key, value);
  }
  async update<T>(key: string, fn: (old: T | undefined) => T) {
    const next = fn(this.#kv.get(key) as T | undefined);
    this.#kv.set(key, next);
    return next;
  }
  close() {}
}

class IdbStore implements Store {
  readonly kind = 'indexeddb' as const;
  constructor(private db: IDBPDatabase) {}

  async putCheckpoint(c: Checkpoint) {
    await this.db.put(OPEN, c);
  }
  async deleteCheckpoint(id: string) {
    await this.db.delete(OPEN, id);
  }
  async checkpoints() {
    return (await this.db.getAll(OPEN)) as Checkpoint[];
  }
  async closeCheckpoint(id: string, entry: OutboxEntry | null, fold?: Fold) {
    const tx = this.db.transaction([OPEN, OUTBOX], 'readwrite');
    const outbox = tx.objectStore(OUTBOX);
    const write = async () => {
      await tx.objectStore(OPEN).delete(id);
      // Another tab may have merged a held window meanwhile (compaction): then this one goes alone.
      const held = fold ? await Promise.all(fold.held.map((h) => outbox.get(h))) : [];
      if (fold && held.every((e) => (e as OutboxEntry | undefined)?.held)) {
        for (const h of fold.held) await outbox.delete(h);
        await outbox.put(fold.merged);
      } else if (entry) {
        await outbox.put(entry);
      }
    };
    await Promise.all([write(), tx.done]);
  }
  async putOutbox(e: OutboxEntry) {
    await this.db.put(OUTBOX, e);
  }
  async replaceOutbox(remove: string[], add: OutboxEntry[]) {
    const tx = this.db.transaction(OUTBOX, 'readwrite');
    const s = tx.objectStore(OUTBOX);
    await Promise.all([...remove.map((id) => s.delete(id)), ...add.map((e) => s.put(e)), tx.done]);
  }
  async deleteOutbox(id: string) {
    await this.db.delete(OUTBOX, id);
  }
  async outbox() {
    return ((await this.db.getAll(OUTBOX)) as OutboxEntry[]).sort(byWindow);
  }
  async get<T>(key: string) {
    return (await this.db.get(KV, key)) as T | undefined;
  }
  async set(key: string, value: unknown) {
    await this.db.put(KV, value, key);
  }
  async update<T>(key: string, fn: (old: T | undefined) => T) {
    const tx = this.db.transaction(KV, 'readwrite');
    const s = tx.objectStore(KV);
    const next = fn((await s.get(key)) as T | undefined);
    await Promise.all([s.put(next, key), tx.done]);
    return next;
  }
  close() {
    this.db.close();
  }
}

/**
 * Wraps a store so that its first failure switches everything to memory (with one console
 * warning) and the operation is retried there: the host app never sees a storage error.
 */
class FallbackStore implements Store {
  #inner: Store;
  constructor(
    inner: Store,
    private onFallback: (err: unknown) => void,
  ) {
    this.#inner = inner;
  }
  get kind() {
    return this.#inner.kind;
  }
  async #do<R>(op: (s: Store) => Promise<R>): Promise<R> {
    if (this.#inner.kind === 'memory') return op(this.#inner);
    try {
      return await op(this.#inner);
    } catch (err) {
      const failed = this.#inner;
      const memory = new MemoryStore();
      // What is already saved stays readable in memory so that nothing in flight is lost.
      try {
        for (const e of await failed.outbox()) await memory.putOutbox(e);
      } catch {
        /* unreadable: the windows stay in IndexedDB for the next start */
      }
      try {
        failed.close();
      } catch {
        /* already closed */
      }
      this.#inner = memory;
      this.onFallback(err);
      return op(memory);
    }
  }
  putCheckpoint(c: Checkpoint) {
    return this.#do((s) => s.putCheckpoint(c));
  }
  deleteCheckpoint(id: string) {
    return this.#do((s) => s.deleteCheckpoint(id));
  }
  checkpoints() {
    return this.#do((s) => s.checkpoints());
  }
  closeCheckpoint(id: string, entry: OutboxEntry | null, fold?: Fold) {
    return this.#do((s) => s.closeCheckpoint(id, entry, fold));
  }
  putOutbox(e: OutboxEntry) {
    return this.#do((s) => s.putOutbox(e));
  }
  replaceOutbox(remove: string[], add: OutboxEntry[]) {
    return this.#do((s) => s.replaceOutbox(remove, add));
  }
  deleteOutbox(id: string) {
    return this.#do((s) => s.deleteOutbox(id));
  }
  outbox() {
    return this.#do((s) => s.outbox());
  }
  get<T>(key: string) {
    return this.#do((s) => s.get<T>(key));
  }
  set(key: string, value: unknown) {
    return this.#do((s) => s.set(key, value));
  }
  update<T>(key: string, fn: (old: T | undefined) => T) {
    return this.#do((s) => s.update(key, fn));
  }
  close() {
    this.#inner.close();
  }
}

function byWindow(a: OutboxEntry, b: OutboxEntry): number {
  return a.windowStart - b.windowStart || a.windowEnd - b.windowEnd || (a.uploadId < b.uploadId ? -1 : 1);
}

export function databaseName(modelId: string): string {
  return `edgewatch:${modelId}`;
}

function warn(what: string, err: unknown): void {
  const e = err as Error;
  console.warn(`edgewatch: ${what}; monitoring continues in memory (${e?.name ?? 'Error'}: ${e?.message || e})`);
}

/**
 * Opens the model's store. Never throws: when IndexedDB is missing or refuses (private mode,
 * quota, an upgrade blocked by an old tab), the store is in memory and a warning says why.
 */
export async function openStore(modelId: string, opts: { timeoutMs?: number } = {}): Promise<Store> {
  const onFallback = (err: unknown) => warn('IndexedDB failed', err);
  if (typeof indexedDB === 'undefined') {
    warn('IndexedDB is not available', 'no indexedDB');
    return new MemoryStore();
  }
  try {
    const opening = openDB(databaseName(modelId), 1, {
      upgrade(db) {
        db.createObjectStore(OPEN, { keyPath: 'key' });
        db.createObjectStore(OUTBOX, { keyPath: 'uploadId' });
        db.createObjectStore(KV);
      },
      blocked() {
        warn('IndexedDB upgrade is blocked by another tab', 'blocked');
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('opening IndexedDB timed out')), opts.timeoutMs ?? 5000);
    });
    const db = await Promise.race([opening, timeout]).finally(() => clearTimeout(timer));
    return new FallbackStore(new IdbStore(db), onFallback);
  } catch (err) {
    onFallback(err);
    return new MemoryStore();
  }
}
