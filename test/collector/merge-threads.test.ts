// Reads folded on the merge threads (read/merge-pool.ts) give exactly what folding on the request
// thread gives — the same merged bytes, the same counts, the same pieces left out — and both match
// the raw rows; concurrent reads on one thread keep their sessions apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
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

  it('folds on its merge thread exactly as on the request thread, and as the raw rows say', async () => {
    expect(mergePoolOf(core)).toBeDefined();
    expect(mergePoolOf(alone)).toBeUndefined();
    const [off, here] = await Promise.all([read(core), read(alone)]);
    if (off.suppressed || here.suppressed) throw new Error('not suppressed expected');
    expect(Buffer.from(off.profile.toBytes()).equals(Buffer.from(here.profile.toBytes()))).toBe(true);
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
      expect(Buffer.from(g.profile.toBytes()).equals(Buffer.from(w.profile.toBytes()))).toBe(true);
      expect(g.uploads).toBe(12);
      g.profile.dispose();
    }
    for (const w of want) if (!w.suppressed) w.profile.dispose();
  });

  it('leaves out a stored piece that no longer decodes, on both threads alike', async () => {
    const db = c.collector.context.db;
    const [victim] = await db.query<{ id: number; payload: Uint8Array }>(`select id, payload from uploads where upload_id = 'upload-5'`);
    await db.query('update uploads set payload = $2 where id = $1', [victim.id, Buffer.from(victim.payload.slice(0, 40))]);
    try {
      const [off, here] = await Promise.all([read(core), read(alone)]);
      if (off.suppressed || here.suppressed) throw new Error('not suppressed expected');
      expect(Buffer.from(off.profile.toBytes()).equals(Buffer.from(here.profile.toBytes()))).toBe(true);
      expect(off.profile.summary('age').count).toBe(rows.length - (30 + 5));
      // The counts come from the stored rows, the profile from what decoded: both paths agree.
      expect({ ...off, profile: null }).toEqual({ ...here, profile: null });
      off.profile.dispose();
      here.profile.dispose();
    } finally {
      await db.query('update uploads set payload = $2 where id = $1', [victim.id, Buffer.from(victim.payload)]);
    }
  });
});
