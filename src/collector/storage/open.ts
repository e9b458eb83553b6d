// Picks the storage adapter: a postgres:// URL means PostgreSQL, anything else PGlite on a data
// directory. Migrations run before the database is handed out.
import type { Db } from './db.ts';
import { migrate } from './migrations.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export interface StorageOptions {
  /** postgres://… or postgresql://…; when absent the embedded database is used. */
  databaseUrl?: string;
  /** PGlite data directory; `memory://` (or none) is an in-memory database. */
  dataDir?: string;
}

export async function openStorage(opts: StorageOptions): Promise<Db> {
  const url = opts.databaseUrl;
  const db = url && /^postgres(ql)?:\/\//.test(url) ? await openPostgres(url) : await openPglite(opts.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
