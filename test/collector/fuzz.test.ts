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
      seeds.push(makePayload(core, { deviceId: `device-seed-${i}`, uploadId: `upload-seed-${i}`, windowStart: window, rows: makeRows(i, 30 + i) }));
    }
  });
  afterAll(() => c?.stop());

  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  const send = (bytes: Uint8Array) => post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);

  const mutation = fc.oneof(
    // flip bytes
    fc.record({ kind: fc.constant('flip' as const), seed: fc.nat(3), at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), xor: fc.integer({ min: 1, max: 255 }) }),
    // cut the tail
    fc.record({ kind: fc.constant('cut' as const), seed: fc.nat(3), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
    // splice random bytes in
    fc.record({ kind: fc.constant('splice' as const), seed: fc.nat(3), at: fc.nat(), junk: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    // pure noise
    fc.record({ kind: fc.constant('noise' as const), junk: fc.uint8Array({ minLength: 0, maxLength: 2048 }) }),
  );

  function apply(m: Mutation): Uint8Array {
    if (m.kind === 'noise') return m.junk;
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
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const r = await send(apply(m));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect([200, 400, 422]).toContain(r.status);
        if (r.status !== 200) {
          expect(typeof r.body.error).toBe('string');
          expect(String(r.body.error)).not.toContain('\n');
        }
        // A valid upload next to the junk is never lost.
        const ok = await send(makePayload(core, { deviceId: 'device-good', uploadId: `upload-good-${valid++}`, windowStart: window, rows: makeRows(valid, 3) }));
        expect(ok.status).toBe(200);
      }),
      { numRuns: 300, seed: 42 },
    );
    // The fuzzer hit the decoder's refusals, not only accepted or header-rejected inputs.
    expect(statuses.get(400)).toBeGreaterThan(50);

    const rows = await c.collector.context.db.query<{ upload_id: string; payload: Uint8Array; rows: number }>('select upload_id, payload, rows from uploads');
    const ids = rows.map((r) => r.upload_id);
    for (let i = 0; i < valid; i++) expect(ids).toContain(`upload-good-${i}`);
    for (const r of rows) {
      const p = core.profileFromBytes(r.payload);
      try {
        const h = parseHeader(p.meta, Date.now(), { maxFutureMs: 300_000, maxAgeMs: 7 * 86_400_000 });
        expect(h.uploadId).toBe(r.upload_id);
        expect(p.summary(p.columnNames[0]).count).toBe(r.rows);
      } finally {
        p.dispose();
      }
    }
  });
});
