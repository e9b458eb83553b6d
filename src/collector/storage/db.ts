// The one database interface the collector codes against. Two adapters implement it — PGlite
// (embedded, default) and PostgreSQL through `pg` — and both run exactly the same SQL.

export type Row = Record<string, unknown>;

export interface Queryable {
  /** Runs one parameterised statement ($1, $2, …) and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** When a statement last succeeded, ms since the epoch (timed.ts keeps it; 0: never). */
  answeredAt?(): number;
}
