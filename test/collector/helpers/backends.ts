// The two storage back-ends every collector test runs against: PGlite in memory, and a fresh
// database on a real PostgreSQL server (started once per test file, stopped when it exits).
import { afterAll } from 'vitest';
import type { StorageOptions } from '../../../src/collector/storage/open.ts';
import { freshDatabase, startPostgres, type PgServer } from './postgres.ts';

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Storage options for a new, empty database, and how to drop it afterwards. */
  create(): Promise<{ storage: StorageOptions; drop(): Promise<void> }>;
}

let server: PgServer | undefined;
export function postgresServerUrl(): string {
  server ??= startPostgres();
  return server.url;
}

// Registered in every test file that imports this module: its server stops with the file.
afterAll(() => {
  server?.stop();
  server = undefined;
});

export const BACKENDS: Backend[] = [
  { name: 'pglite', create: async () => ({ storage: { dataDir: 'memory://' }, drop: async () => {} }) },
  {
    name: 'postgres',
    async create() {
      const db = await freshDatabase(postgresServerUrl());
      return { storage: { databaseUrl: db.url }, drop: db.drop };
    },
  },
];
