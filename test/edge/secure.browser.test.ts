// What a device sends in the secure mode, in Chromium with a real IndexedDB and WebCrypto: one
// report per window, to the leader's report route, whose two shares add up to the exact cells of
// the rows recorded (binned here from the raw values) once the helper's seed is opened with the
// helper's private key; the leader's share alone and the layout carry none of them, nor the
// device id. A retry after a lost answer sends the same report, and the leader's `replay`
// answer ends it; a window clipped to its rows cap stays within it.
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { combineShares, expandSeed, helperKeyPair, openHelperShare, parseSecureReport, type SecureReport } from '../../src/core/secure.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { type Grid, resolveOptions } from '../../src/edge/options.ts';
import { LATENCY_EDGES } from '../../src/edge/schema.ts';
import { sealWindow } from '../../src/edge/seal.ts';
import { openStore } from '../../src/edge/store.ts';
import { freshModelId } from './helpers.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const xEdges = Array.from({ length: 17 }, (_, i) => -3 + (6 * i) / 16);
const grid: Grid = { columns: { 'x.0': { edges: xEdges } } };
const binOf = (edges: readonly number[], x: number) => edges.filter((e) => e < x).length;

async function secureEngine(answers: number[], maxRows = 50) {
  const core = await loadCore();
  const helper = await helperKeyPair(crypto.getRandomValues(new Uint8Array(32)));
  const modelId = freshModelId('secure');
  const posted: { url: string; type: string; body: string }[] = [];
  const clock = { now: T0 + 10 * 60_000 };
  const engine = await MonitorEngine.start(
    resolveOptions({
      modelId,
      modelVersion: '1',
      window: HOUR,
      collector: 'https://leader.invalid',
      apiKey: 'k',
      segment: { region: 'eu' },
      privacy: { mode: 'secure', epsilon: 0.25, maxRowsPerWindow: maxRows, dailyEpsilon: 6, helperKey: helper.key, grid },
      upload: { baseDelayMs: 1, maxDelayMs: 1 },
    }),
    {
      core,
      store: await openStore(modelId),
      seal: sealWindow,
      now: () => clock.now,
      fetch: (async (url: string, init: RequestInit) => {
        posted.push({
          url,
          type: new Headers(init.headers).get('content-type') ?? '',
          body: new TextDecoder().decode(init.body as Uint8Array),
        });
        const status = answers.shift() ?? 201;
        const body =
          status === 409 ? { error: 'replay: this report was received before', reason: 'replay', permanent: true } : { ok: true };
        return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch,
    },
  );
  return { core, helper, engine, posted, clock };
}

function record(engine: MonitorEngine, xs: number[]) {
  engine.record(
    { x: { type: 'float32', data: Float32Array.from(xs), dims: [xs.length, 1] } },
    { y: { type: 'float32', data: new Float32Array(xs.length), dims: [xs.length, 1] } },
    { latencyMs: 3 },
  );
}

describe('secure mode on the device', () => {
  test("a window's two shares add up to its exact cells, and neither share nor layout shows them", async () => {
    const { core, helper, engine, posted } = await secureEngine([]);
    // Values of their own: a canary (1.2345) to look for in what is sent.
    const xs = [1.2345, -0.5, 0.25, 2.75, -2.9, 0.25, 1.0];
    record(engine, xs);
    await engine.flush();
    await engine.close();
    expect(posted).toHaveLength(1);
    expect(posted[0].url).toBe('https://leader.invalid/v1/secure/reports');
    expect(posted[0].type).toBe('application/json');
    const sent = JSON.parse(posted[0].body) as SecureReport;
    expect(sent.batch).toEqual({ model: sent.batch.model, version: '1', segment: { region: 'eu' }, windowStart: T0, windowEnd: T0 + HOUR });
    const r = parseSecureReport(sent);
    const cells = combineShares(core, r.leaderWords, await expandSeed(await openHelperShare(helper.recipient, r), r.cells));

    // Column by column, in the core's order (a grid's missing, NaN, +Inf and −Inf counters, then
    // its bins; a vocabulary's missing counter, then its words): the input's and the latency's
    // cells binned here from the raw values, every other column holding each row at most once.
    const layout = core.profileFromBytes(r.layoutBytes);
    const names = layout.columnNames;
    let at = 0;
    for (const name of names) {
      const s = layout.summary(name);
      const n = s.kind === 'categorical' ? 1 + s.items.length : 4 + s.counts!.length;
      const got = Array.from(cells.slice(at, at + n), Number);
      at += n;
      expect(got.every((c) => c >= 0)).toBe(true);
      if (name === 'x.0' || name === 'health.latency_ms') {
        const edges = name === 'x.0' ? xEdges : LATENCY_EDGES;
        const bins = new Array(n - 4).fill(0);
        for (const x of name === 'x.0' ? xs : [3]) bins[binOf(edges, x)]++;
        expect(got).toEqual([0, 0, 0, 0, ...bins]);
      } else {
        expect([0, 1, xs.length]).toContain(got.reduce((a, b) => a + b, 0));
      }
    }
    expect(at).toBe(cells.length);
    expect(names).toContain('x.0');
    expect(names).toContain('health.latency_ms');

    // Nothing of the device in the layout: no counts, no device id, only the batch's header.
    expect(layout.meta.deviceId).toBeUndefined();
    expect(Object.keys(layout.meta).sort()).toEqual(['model', 'modelVersion', 'privacy', 'segment', 'windowEnd', 'windowStart']);
    for (const name of names) expect(layout.summary(name).count).toBe(0);
    layout.dispose();
    // The canary value's bytes are nowhere in the report.
    const canary = new Uint8Array(new Float64Array([1.2345]).buffer);
    const asText = Array.from(canary, (b) => String.fromCharCode(b)).join('');
    expect(posted[0].body.includes(asText)).toBe(false);
    expect(posted[0].body.includes('1.2345')).toBe(false);
  });

  test('a retry sends the same report, and a replay answer ends it', async () => {
    const { engine, posted, clock } = await secureEngine([503, 409]);
    record(engine, [0.5, 1.5]);
    await engine.flush();
    clock.now += 1000; // past the backoff
    await engine.flush();
    expect(posted).toHaveLength(2);
    const ids = posted.map((p) => (JSON.parse(p.body) as SecureReport).reportId);
    expect(new Set(ids).size).toBe(1);
    expect(await engine.outbox()).toHaveLength(0);
    await engine.close();
  });

  test('a window holds at most its rows cap', async () => {
    const { core, helper, engine, posted } = await secureEngine([], 5);
    record(engine, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    await engine.flush();
    await engine.close();
    const r = parseSecureReport(JSON.parse(posted[0].body));
    const cells = combineShares(core, r.leaderWords, await expandSeed(await openHelperShare(helper.recipient, r), r.cells));
    const layout = core.profileFromBytes(r.layoutBytes);
    let at = 0;
    for (const name of layout.columnNames) {
      const s = layout.summary(name);
      const n = s.kind === 'categorical' ? 1 + s.items.length : 4 + s.counts!.length;
      if (name === 'x.0') expect(Number(cells.slice(at, at + n).reduce((a, b) => a + b, 0n))).toBe(5);
      at += n;
    }
    layout.dispose();
  });
});
