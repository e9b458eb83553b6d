// Wraps a Db so every statement's latency lands in a histogram (edgewatch_db_query_duration_seconds),
// remembers when a statement last succeeded (for /healthz), and close() waits for the statements and transactions still running: a shutdown that cut a
// request's connection past its deadline still lets that request's commit finish.
import type { Histogram } from 'prom-client';
import type { Db, Queryable, Row } from './db.ts';

export function timed(db: Db, seconds: Histogram): Db {
  const running = new Set<Promise<unknown>>();
  let answeredAt = 0;
  const track = <T>(p: Promise<T>): Promise<T> => {
    running.add(p);
    const done = () => running.delete(p);
    p.then(done, done);
    return p;
  };
  const time = (q: Queryable): Queryable => ({
    async query<T extends Row>(sql: string, params?: unknown[]) {
      const end = seconds.startTimer();
      try {
        const rows = await q.query<T>(sql, params);
        answeredAt = Date.now();
        return rows;
      } finally {
        end();
      }
    },
  });
  const outer = time(db);
  return {
    kind: db.kind,
    query: (sql, params) => track(outer.query(sql, params)),
    transaction: (fn) => track(db.transaction((tx) => fn(time(tx)))),
    answeredAt: () => answeredAt,
    async close() {
      while (running.size > 0) await Promise.allSettled([...running]);
      await db.close();
    },
  };
}
