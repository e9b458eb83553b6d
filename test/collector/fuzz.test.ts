// Random and mutated payloads against the ingest route: the collector answers every one with a
// 200 or a 4xx (never a 5xx, never a dropped connection), keeps serving, and everything it
// stored is a valid upload; valid uploads sent in between are all kept.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { parseHeader } from '../../src/collector/ingest/header.ts';
import { BACKENDS } from './helpers/backends.ts';
import { post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';
import { wireProfile, zeros, type WireColumn } from '../helpers/wire.ts';
import type { ColumnSummary } from '../../src/core/types.ts';

const MIN = 60_000;

describe('ingest fuzzing (PGlite)', () => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const window = now - (now % MIN) - 5 * MIN;
  const seeds: Uint8Array[] = [];

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(BACKENDS[0]);
    for (let i = 0; i < 4; i++) {
      seeds.push(
        makePayload(core, { deviceId: `device-seed-${i}`, uploadId: `upload-seed-${i}`, windowStart: window, rows: makeRows(i, 30 + i) }),
      );
    }
  });
  afterAll(() => c?.stop());

  const count = fc.oneof(fc.integer({ min: -5000, max: 5000 }), fc.constantFrom(0, 3, 2 ** 40, 2 ** 52, -(2 ** 40)));
  const real = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 0, -1, 1e300));
  const column: fc.Arbitrary<WireColumn> = fc
    .oneof(
      fc.record({
        kind: fc.constant('numeric' as const),
        noisy: fc.boolean(),
        count,
        missing: count,
        nan: count,
        zero: count,
        moments: fc.record({ n: count, sum: real, mean: real, m2: real, min: real, max: real }),
      }),
      fc.record({
        kind: fc.constant('grid' as const),
        noisy: fc.boolean(),
        count,
        missing: count,
        edges: fc.constant([0, 1]),
        cells: fc.tuple(count, count, count),
        moments: fc.record({ n: count, sum: real, mean: real, m2: real, min: real, max: real }),
      }),
      fc.record({
        kind: fc.constant('categorical' as const),
        noisy: fc.boolean(),
        count,
        missing: count,
        label: fc.string({ maxLength: 4 }),
        labelCount: count,
      }),
    )
    .map((c) => ({ ...c, name: '' }) as WireColumn);
  const ODD_NAMES = ['', '__proto__', 'constructor'];

  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  const send = (bytes: Uint8Array) => post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);

  const mutation = fc.oneof(
    // flip bytes
    fc.record({
      kind: fc.constant('flip' as const),
      seed: fc.nat(3),
      at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      xor: fc.integer({ min: 1, max: 255 }),
    }),
    // cut the tail
    fc.record({ kind: fc.constant('cut' as const), seed: fc.nat(3), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
    // splice random bytes in
    fc.record({
      kind: fc.constant('splice' as const),
      seed: fc.nat(3),
      at: fc.nat(),
      junk: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    }),
    // pure noise
    fc.record({ kind: fc.constant('noise' as const), junk: fc.uint8Array({ minLength: 0, maxLength: 2048 }) }),
    // well formed, with a header, but describing sketches that may be impossible
    fc.record({
      kind: fc.constant('semantic' as const),
      columns: fc.array(column, { minLength: 1, maxLength: 4 }),
      dp: fc.boolean(),
      n: fc.nat(),
      consistent: fc.boolean(),
    }),
  );

  function apply(m: Mutation): Uint8Array {
    if (m.kind === 'noise') return m.junk;
    if (m.kind === 'semantic') {
      const meta = {
        model: 'churn',
        modelVersion: '1.0.0',
        windowStart: String(window),
        windowEnd: String(window + MIN),
        deviceId: `device-sem-${m.n % 50}`,
        uploadId: `upload-sem-${m.n}`,
        ...(m.dp ? { privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale: 1 }) } : {}),
      };
      // Half of them keep the sketches consistent (zeros, one row count), so some are accepted
      // and the check below sees crafted uploads, not only recorded ones.
      // Some of those break only what one window must satisfy: counts beyond a window.
      const rowsOf = (i: number) => (i === 0 || m.n % 3 !== 0 ? m.n % 100 : m.n % 2 === 0 ? 2 ** 40 : (m.n >> 2) % 100);
      const columns = m.consistent ? m.columns.slice(0, 2).map((_, i) => zeros(['age', 'income'][i], rowsOf(i))) : m.columns;
      // Names mostly fit the version's schema (so the schema check does not hide the junk).
      const nameOf = (c: WireColumn, i: number) =>
        m.n % 5 === 0 ? ODD_NAMES[(m.n + i) % ODD_NAMES.length] : c.kind === 'categorical' ? 'plan' : ['age', 'income'][i % 2];
      const named = columns.slice(0, 3).map((c, i) => ({ ...c, name: m.consistent ? c.name : nameOf(c, i) }));
      return wireProfile(
        named.filter((c, i) => named.findIndex((x) => x.name === c.name) === i),
        meta,
      );
    }
    const src = seeds[m.seed];
    if (m.kind === 'flip') {
      const out = src.slice();
      for (const a of m.at) out[a % out.length] ^= m.xor;
      return out;
    }
    if (m.kind === 'cut') return src.slice(0, Math.floor(src.length * m.keep));
    const at = m.at % src.length;
    return new Uint8Array([...src.subarray(0, at), ...m.junk, ...src.subarray(at)]);
  }

  it('answers every mutated payload with 200 or a 4xx and stores only valid uploads', async () => {
    const statuses = new Map<number, number>();
    const accepted = { semantic: 0 };
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const r = await send(apply(m));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200 && m.kind === 'semantic') accepted.semantic++;
        expect([200, 400, 422]).toContain(r.status);
        if (r.status !== 200) {
          expect(typeof r.body.error).toBe('string');
          expect(String(r.body.error)).not.toContain('\n');
        }
        // A valid upload next to the junk is never lost.
        const ok = await send(
          makePayload(core, { deviceId: 'device-good', uploadId: `upload-good-${valid++}`, windowStart: window, rows: makeRows(valid, 3) }),
        );
        expect(ok.status).toBe(200);
      }),
      { numRuns: 600, seed: 42 },
    );
    // The fuzzer hit the decoder's refusals, not only accepted or header-rejected inputs.
    expect(statuses.get(400)).toBeGreaterThan(50);
    expect(accepted.semantic).toBeGreaterThan(0);

    const rows = await c.collector.context.db.query<{ upload_id: string; payload: Uint8Array; rows: number }>(
      'select upload_id, payload, rows from uploads',
    );
    const ids = rows.map((r) => r.upload_id);
    for (let i = 0; i < valid; i++) expect(ids).toContain(`upload-good-${i}`);
    for (const r of rows) {
      const p = core.profileFromBytes(r.payload);
      try {
        const h = parseHeader(p.meta, Date.now(), { maxFutureMs: 300_000, maxAgeMs: 7 * 86_400_000 });
        expect(h.uploadId).toBe(r.upload_id);
        expect(p.summary(p.columnNames[0]).count).toBe(r.rows);
        const summaries = p.columnNames.map((n) => p.summary(n));
        expect(semanticProblem(summaries, h.privacy.mode === 'dp'), r.upload_id).toBeNull();
      } finally {
        p.dispose();
      }
    }
  });
});

/**
 * What an upload's summaries must satisfy, checked here without the core's validation: names
 * non-empty; exact columns with non-negative counters that add up, finite moments of a
 * non-negative spread within the extremes; noise only in the "dp" mode.
 */
function semanticProblem(columns: ColumnSummary[], dp: boolean): string | null {
  for (const c of columns) {
    if (c.name === '') return 'empty name';
    if (c.count > 2 ** 32 || c.count < -(2 ** 32)) return `${c.name}: count beyond one window`;
    if (c.noisy) {
      if (!dp) return `${c.name}: noise in an exact upload`;
      continue;
    }
    if ([c.count, c.missing, c.nan, c.posInf, c.negInf].some((v) => v < 0)) return `${c.name}: negative counter`;
    if (c.kind === 'categorical') {
      const items = c.items.reduce((a, x) => a + x.count, 0);
      if (c.mode !== 'sketch' && items !== c.count - c.missing) return `${c.name}: items do not add up`;
      continue;
    }
    if (c.count !== c.missing + c.nan + c.posInf + c.negInf + c.finite) return `${c.name}: counters do not add up`;
    if (c.finite > 0) {
      if (![c.sum, c.mean, c.min, c.max].every(Number.isFinite)) return `${c.name}: non-finite moments`;
      if (c.finite > 1 && !(c.variance >= 0)) return `${c.name}: invalid variance`;
      if (c.mean < c.min - 1e-9 * Math.abs(c.min) || c.mean > c.max + 1e-9 * Math.abs(c.max)) return `${c.name}: mean outside extremes`;
    }
  }
  return null;
}
