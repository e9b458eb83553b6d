// PostgreSQL adapter through `pg`: a connection pool, so many requests (and many collector
// processes) write concurrently.
import pg from 'pg';
import type { Db, Queryable, Row } from './db.ts';

// BIGINT (int8) and NUMERIC come back as strings by default; the collector's counts and
// millisecond timestamps fit a double exactly, and PGlite returns numbers too.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export async function openPostgres(url: string, poolSize = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection the server drops (a restart, a failover, an administrator) is emitted
  // here; unhandled, it would end the process. The pool replaces it on the next query, and a
  // query that fails meanwhile answers its request with an error like any other.
  pool.on('error', (err) => console.warn(`edgewatch collector: PostgreSQL connection lost (${err.message}); reconnecting on demand`));
  // Fail at start, not on the first request, when the server is unreachable.
  (await pool.connect()).release();
  const run = async <T extends Row>(c: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) =>
    (await c.query(sql, params)).rows as T[];
  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: (sql, params) => run(client, sql, params) };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
