// Wraps a Db so every statement's latency lands in a histogram (edgewatch_db_query_duration_seconds).
import type { Histogram } from 'prom-client';
import type { Db, Queryable } from './db.ts';

export function timed(db: Db, seconds: Histogram): Db {
  const time = (q: Queryable): Queryable => ({
    async query(sql, params) {
      const end = seconds.startTimer();
      try {
        return await q.query(sql, params);
      } finally {
        end();
      }
    },
  });
  return {
    kind: db.kind,
    query: time(db).query,
    transaction: (fn) => db.transaction((tx) => fn(time(tx))),
    close: () => db.close(),
  };
}
