// The messages between the collector and the thread that runs PGlite (pglite.ts, pglite-worker.ts).

export type PgliteRequest =
  | { id: number; op: 'open'; dataDir: string }
  /** `tx`: the transaction it belongs to, 0 for none. */
  | { id: number; op: 'query'; tx: number; sql: string; params?: unknown[] }
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

export type PgliteReply =
  | { id: number; ok: true; rows?: Record<string, unknown>[] }
  | { id: number; ok: false; error: { message: string; code?: string } };
