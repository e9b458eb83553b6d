// Hourly rollups change nothing a reader sees: profiles, drift and counts are the same before and
// after uploads are folded, for whole and partial hours and segments; distinct devices are a
// union across hours, not a sum; a late upload into a rolled hour counts at once and is folded
// on the next round.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { expectClose } from './helpers/close.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows } from './helpers/payloads.ts';
import { PIECES_PER_TRANSACTION } from '../../src/collector/read/rollup.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe.each(BACKENDS)('rollups on $name', (backend) => {
  let core: Core;
  let c: Running;
  // The rounds run at the latest noon UTC before the wall clock, so the four hours before it are
  // always in one day that is still open (at 01:00 UTC they would lie in a closed day, which folds
  // them into a daily rollup); every window is still within the ingest age limit.
  const wall = Date.now();
  const noon = wall - (wall % DAY) + 12 * HOUR;
  const now = noon <= wall ? noon : noon - DAY;
  const base = now - (now % HOUR) - 4 * HOUR;
  const v = (path: string) => `${c.url}/v1/models/churn/versions/1.0.0${path}`;
  const send = async (hour: number, d: number, minute: number, id: string, shift = 0) => {
    const bytes = makePayload(core, {
      deviceId: `device-${d}`,
      uploadId: id,
      windowStart: base + hour * HOUR + minute * MIN,
      segment: { region: d % 2 ? 'eu' : 'us' },
      rows: makeRows(hour * 100 + d * 7 + minute, 40, shift),
    });
    expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
  };
  const reads = [
    `/profile?from=${base}&to=${base + 3 * HOUR}`,
    `/profile?from=${base + 30 * MIN}&to=${base + 150 * MIN}`,
    `/profile?from=${base}&to=${base + 3 * HOUR}&segment=${encodeURIComponent('{"region":"eu"}')}`,
    `/drift?from=${base}&to=${base + 3 * HOUR}&step=${HOUR}`,
    `/drift?from=${base + 20 * MIN}&to=${base + 140 * MIN}&step=${40 * MIN}`,
  ];
  const readAll = async () => Promise.all(reads.map(async (r) => (await get(v(r), c.keys.read)).body));

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { kAnonymity: 3 });
    const baseline = profileOfRows(core, makeRows(9, 2000));
    await fetch(v('/baseline'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/octet-stream' },
      body: baseline.toBytes() as BodyInit,
    });
    baseline.dispose();
    // Three hours; the same eight devices every hour, two windows each per hour.
    for (let h = 0; h < 3; h++)
      for (let d = 0; d < 8; d++) for (const m of [5, 35]) await send(h, d, m, `upload-${h}-${d}-${m}`, h === 2 ? 15 : 0);
  });
  afterAll(() => c?.stop());

  it('reads the same before and after the uploads are rolled up', async () => {
    const before = await readAll();
    expect(before[0]).toMatchObject({ suppressed: false, devices: 8, uploads: 48 });
    expect(await c.collector.runRollups(now)).toBe(48);
    const rollups = await c.collector.context.db.query<{ devices: string[] }>('select devices from rollups');
    expect(rollups).toHaveLength(6); // 3 hours × 2 segments
    expect(await c.collector.runRollups(now)).toBe(0);
    const after = await readAll();
    expectClose(after, before);
  });

  it('counts a late upload into a rolled hour at once, and folds it on the next round', async () => {
    await send(1, 9, 50, 'upload-late');
    const withLate = await readAll();
    expect(withLate[0]).toMatchObject({ devices: 9, uploads: 49 });
    expect(await c.collector.runRollups(now)).toBe(1);
    expectClose(await readAll(), withLate);
    const [n] = await c.collector.context.db.query<{ n: number }>('select count(*)::int as n from rollups');
    expect(n.n).toBe(6);
  });
});

// A closed hour of a flood: more pieces in one key than one transaction folds. The key is folded
// a chunk per transaction, with or without merge threads, into one rollup that reads as the raw
// uploads did; nothing is folded twice or left behind.
describe.each(BACKENDS.flatMap((b) => [0, 1].map((threads) => ({ ...b, threads }))))(
  'a key larger than one transaction on $name, $threads merge threads',
  (backend) => {
    let core: Core;
    let c: Running;
    // As above: an hour of a day still open, so the round folds no day.
    const wall = Date.now();
    const noon = wall - (wall % DAY) + 12 * HOUR;
    const now = noon <= wall ? noon : noon - DAY;
    const hour = now - 2 * HOUR;
    const pieces = 2 * PIECES_PER_TRANSACTION + 3;
    const profile = `/v1/models/churn/versions/1.0.0/profile?from=${hour}&to=${hour + HOUR}`;

    beforeAll(async () => {
      core = await sharedCore();
      c = await startCollector(backend, { kAnonymity: 1, mergeThreads: backend.threads });
      for (let i = 0; i < pieces; i++) {
        const bytes = makePayload(core, {
          deviceId: `device-${i % 5}`,
          uploadId: `flood-upload-${i}`,
          windowStart: hour + i * 60_000,
          rows: makeRows(i, 30),
        });
        const r = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
        expect([r.status, r.body]).toEqual([200, expect.anything()]);
      }
    });
    afterAll(() => c?.stop());

    it('folds it a chunk per transaction into one rollup that reads the same', async () => {
      const read = async () => (await get(`${c.url}${profile}`, c.keys.read)).body;
      const before = await read();
      expect(before).toMatchObject({ suppressed: false, devices: 5, uploads: pieces, rows: pieces * 30 });
      const db = c.collector.context.db;
      const transaction = db.transaction.bind(db);
      let transactions = 0;
      db.transaction = (fn) => {
        transactions++;
        return transaction(fn);
      };
      try {
        expect(await c.collector.runRollups(now)).toBe(pieces);
      } finally {
        db.transaction = transaction;
      }
      expect(transactions).toBe(Math.ceil(pieces / PIECES_PER_TRANSACTION));
      const rows = await db.query<{ uploads: number; rows: number; devices: string[] }>('select uploads, rows, devices from rollups');
      expect(rows.map((r) => ({ uploads: Number(r.uploads), rows: Number(r.rows), devices: r.devices.length }))).toEqual([
        { uploads: pieces, rows: pieces * 30, devices: 5 },
      ]);
      const [left] = await db.query<{ n: number }>('select count(*)::int as n from uploads where not rolled');
      expect(left.n).toBe(0);
      expectClose(await read(), before);
      expect(await c.collector.runRollups(now)).toBe(0);
    });
  },
);
