// A secure-mode share whose batch was never decided is deleted by retention once no report of its
// window can arrive any more (max age and grace period over); a newer one stays.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchKey } from '../../src/collector/secure/batch-key.ts';
import { insertReport } from '../../src/collector/secure/store.ts';
import { BACKENDS } from './helpers/backends.ts';
import { startCollector, type Running } from './helpers/collector.ts';

const DAY = 86_400_000;
let c: Running;
beforeAll(async () => {
  c = await startCollector(BACKENDS[0], { maxAgeMs: 7 * DAY, secureGraceMs: 600_000 });
});
afterAll(() => c?.stop());

it('drops undecided shares past the max age and grace, keeps the others', async () => {
  const now = Date.now();
  const params = { epsilon: 1, maxRowsPerWindow: 20, cellsPerEvent: 2 };
  const at = (end: number) =>
    batchKey(1, { model: 'm', version: '1', segment: {}, windowStart: end - 60_000, windowEnd: end }, 'a'.repeat(64), params);
  const db = c.collector.context.db;
  const old = now - 7 * DAY - 600_000 - 1;
  const recent = now - 7 * DAY + 60_000;
  expect(await insertReport(db, at(old), 'old-report', 2, new Uint8Array(16), now)).toBe(true);
  expect(await insertReport(db, at(recent), 'recent-report', 2, new Uint8Array(16), now)).toBe(true);
  expect((await c.collector.runRetention(now)).shares).toBe(1);
  expect((await db.query<{ report_id: string }>('select report_id from secure_reports')).map((r) => r.report_id)).toEqual([
    'recent-report',
  ]);
});
