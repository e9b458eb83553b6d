// Reads folded on the merge threads (read/merge-pool.ts) give what folding on the request thread
// gives — the same sketches (moments to their last bits), the same counts, the same pieces left
// out — and both match the raw rows; concurrent reads on one thread keep their sessions apart; a
// thread fetches and folds only the raw uploads it has not folded before (merge-cache.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core, type Profile } from '../../src/collector/core.ts';
import { expectClose } from './helpers/close.ts';
import { aggregate, fetchPieces, fold, foldFetched, type Selection } from '../../src/collector/read/aggregate.ts';
import { mergePoolOf } from '../../src/collector/read/merge-pool.ts';
import { loadCore } from '../../src/core/index.ts';
import { BACKENDS } from './helpers/backends.ts';
import { post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;

describe.each(BACKENDS)('merge threads on $name', (backend) => {
  let core: Core;
  let alone: Core; // a core with no merge threads: folds on this thread
  let c: Running;
  const rows: Row[] = [];
  const start = Date.now() - (Date.now() % MIN) - 30 * MIN;
  let selection: Selection;

  beforeAll(async () => {
    core = await sharedCore();
    alone = await loadCore({
      wasm: await (await import('node:fs/promises')).readFile(new URL('../../build/edgewatch.wasm', import.meta.url)),
    });
    c = await startCollector(backend, { kAnonymity: 3, mergeThreads: 1 });
    for (let i = 0; i < 24; i++) {
      const r = makeRows(1000 + i, 30 + i, i % 5);
      rows.push(...r);
      const bytes = makePayload(core, { deviceId: `device-${i % 6}`, uploadId: `upload-${i}`, windowStart: start + i * MIN, rows: r });
      const res = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
      expect(res.body).toMatchObject({ ok: true });
    }
    const [{ id }] = await c.collector.context.db.query<{ id: number }>('select id from projects limit 1');
    selection = { projectId: Number(id), model: 'churn', version: '1.0.0', from: start, to: start + 24 * MIN };
  });
  afterAll(() => c?.stop());

  const read = (using: Core, s = selection) => aggregate(c.collector.context.db, using, 3, s);
  // Merged in another order (a cached minute first), moments round differently in their last
  // bits; counts, extremes, buckets and items are exact.
  const expectSameSketch = (a: Profile, b: Profile) =>
    expectClose(
      a.columnNames.map((n) => a.summary(n)),
      b.columnNames.map((n) => b.summary(n)),
    );

  it('folds on its merge thread exactly as on the request thread, and as the raw rows say', async () => {
    expect(mergePoolOf(core)).toBeDefined();
    expect(mergePoolOf(alone)).toBeUndefined();
    const [off, here] = await Promise.all([read(core), read(alone)]);
    if (off.suppressed || here.suppressed) throw new Error('not suppressed expected');
    expectSameSketch(off.profile, here.profile);
    expect({ ...off, profile: null }).toEqual({ ...here, profile: null });
    expect(off).toMatchObject({ devices: 6, uploads: 24, rows: rows.length, layouts: 1 });
    const age = off.profile.summary('age');
    const ages = rows.map((r) => r.age).filter((a): a is number => a !== null);
    expect(age.count).toBe(rows.length);
    if (age.kind === 'categorical') throw new Error('numeric expected');
    expect(age.missing).toBe(rows.length - ages.length);
    expect(age.min).toBe(Math.min(...ages));
    expect(age.max).toBe(Math.max(...ages));
    off.profile.dispose();
    here.profile.dispose();
  });

  it('folds pieces already fetched (a timeline cut into steps) as fold() does, on either thread', async () => {
    const pieces = await fetchPieces(c.collector.context.db, selection);
    expect(pieces).toHaveLength(24);
    const results = [await foldFetched(core, 3, pieces), await foldFetched(alone, 3, pieces), fold(alone, 3, pieces)];
    const [want, ...others] = results;
    if (results.some((r) => r.suppressed) || want.suppressed) throw new Error('not suppressed expected');
    for (const got of others) {
      if (got.suppressed) throw new Error('not suppressed expected');
      expect(Buffer.from(got.profile.toBytes()).equals(Buffer.from(want.profile.toBytes()))).toBe(true);
      expect({ ...got, profile: null }).toEqual({ ...want, profile: null });
    }
    expect(want).toMatchObject({ devices: 6, uploads: 24, rows: rows.length });
    for (const r of results) if (!r.suppressed) r.profile.dispose();
  });

  it('keeps concurrent reads apart on one thread', async () => {
    const halves = Array.from({ length: 8 }, (_, i) => ({
      ...selection,
      from: start + (i % 2) * 12 * MIN,
      to: start + (12 + (i % 2) * 12) * MIN,
    }));
    const got = await Promise.all(halves.map((s) => read(core, s)));
    const want = await Promise.all(halves.slice(0, 2).map((s) => read(alone, s)));
    for (const [i, g] of got.entries()) {
      const w = want[i % 2];
      if (g.suppressed || w.suppressed) throw new Error('not suppressed expected');
      expectSameSketch(g.profile, w.profile);
      expect(g.uploads).toBe(12);
      g.profile.dispose();
    }
    for (const w of want) if (!w.suppressed) w.profile.dispose();
  });

  it('fetches and folds only the raw uploads its thread has not folded before, reading the same', async () => {
    const db = c.collector.context.db;
    const fetched: number[] = [];
    const query = db.query.bind(db);
    db.query = ((sql: string, params?: unknown[]) => {
      if (sql.startsWith('select id, payload from uploads')) fetched.push(...(params![0] as number[]).map(Number));
      return query(sql, params);
    }) as typeof db.query;
    try {
      const s = { ...selection, to: start + 27 * MIN };
      const warm = await read(core, s);
      if (!warm.suppressed) warm.profile.dispose();
      fetched.length = 0;
      // New uploads into minutes already folded (a late window) and into new ones.
      const added: number[] = [];
      for (const [i, minute] of [3, 3, 25, 26].entries()) {
        const bytes = makePayload(core, {
          deviceId: `late-device-${i}`,
          uploadId: `late-upload-${i}`,
          windowStart: start + minute * MIN,
          rows: makeRows(50 + i, 20),
        });
        expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).body).toMatchObject({ ok: true });
        const [{ id }] = await query<{ id: number }>(`select id from uploads where upload_id = $1`, [`late-upload-${i}`]);
        added.push(Number(id));
      }
      const off = await read(core, s);
      expect(fetched.sort((a, b) => a - b)).toEqual(added.sort((a, b) => a - b));
      fetched.length = 0;
      const here = await read(alone, s);
      if (off.suppressed || here.suppressed) throw new Error('not suppressed expected');
      expectSameSketch(off.profile, here.profile);
      expect({ ...off, profile: null }).toEqual({ ...here, profile: null });
      expect(off).toMatchObject({ devices: 10, uploads: 28, rows: rows.length + 4 * 20 });
      off.profile.dispose();
      here.profile.dispose();
      // A narrower range asks for part of a folded minute's uploads: that minute is folded anew.
      const part = { ...selection, from: start + 3 * MIN + 1, to: start + 27 * MIN };
      const [a, b] = [await read(core, part), await read(alone, part)];
      if (a.suppressed || b.suppressed) throw new Error('not suppressed expected');
      expectSameSketch(a.profile, b.profile);
      expect(a.uploads).toBe(28 - 4 - 2); // not uploads 0–3 nor the two late ones of minute 3
      a.profile.dispose();
      b.profile.dispose();
    } finally {
      db.query = query;
    }
  });

  it('leaves out a stored piece that no longer decodes, on both threads alike', async () => {
    const db = c.collector.context.db;
    // An upload of a minute no read has folded yet, damaged on disk.
    const extra = makeRows(77, 25);
    const bytes = makePayload(core, { deviceId: 'device-0', uploadId: 'upload-damaged', windowStart: start + 27 * MIN, rows: extra });
    expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).body).toMatchObject({ ok: true });
    const [victim] = await db.query<{ id: number; payload: Uint8Array }>(
      `select id, payload from uploads where upload_id = 'upload-damaged'`,
    );
    await db.query('update uploads set payload = $2 where id = $1', [victim.id, Buffer.from(victim.payload.slice(0, 40))]);
    const s = { ...selection, to: start + 28 * MIN };
    const [off, here] = await Promise.all([read(core, s), read(alone, s)]);
    if (off.suppressed || here.suppressed) throw new Error('not suppressed expected');
    expectSameSketch(off.profile, here.profile);
    const [whole] = [await read(alone, { ...selection, to: start + 27 * MIN })];
    if (whole.suppressed) throw new Error('not suppressed expected');
    expect(off.profile.summary('age').count).toBe(whole.profile.summary('age').count);
    // Left out of the merged group and of what it counts, on both paths alike.
    expect({ ...off, profile: null }).toEqual({ ...here, profile: null });
    expect(off).toMatchObject({ uploads: whole.uploads, rows: whole.rows });
    for (const x of [off, here, whole]) x.profile.dispose();
  });
});
