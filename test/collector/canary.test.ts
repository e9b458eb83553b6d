// Canary comparison on both back-ends, from real uploads of four versions of one model over the
// same half hour: a retrained version that predicts better is promoted, one that fails more
// calls or is slower is rolled back, one with fewer than k devices is held; the figures behind
// each verdict are those of the raw rows; the default peer is the version's rollback target; a
// watch sends the verdict to a webhook when it changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import type { ColumnSpec } from '../../src/core/types.ts';
import { rng } from '../helpers/random.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import {
  argmax,
  CLASSES,
  expectedPerformance,
  FEEDBACK_COLUMNS,
  labelledRows,
  OUT,
  recordFeedback,
  type Labelled,
} from './helpers/feedback.ts';
import { webhookReceiver } from './helpers/webhook.ts';

const MIN = 60_000;

// The columns the edge runtime records, with its explicit centers: windows of many devices merge.
const COLUMNS: ColumnSpec[] = [
  { name: 'x', kind: 'numeric', center: 0 },
  { name: `${OUT}.predicted`, kind: 'categorical', vocabulary: CLASSES },
  { name: `${OUT}.confidence`, kind: 'grid' },
  { name: 'health.latency_ms', kind: 'numeric', center: 0 },
  { name: 'health.failure', kind: 'categorical', vocabulary: ['input', 'inference', 'output', 'recording'] },
  ...FEEDBACK_COLUMNS,
];

/** A version's traffic: how right it is, how many calls fail, how slow it is. */
interface Flavour {
  version: string;
  devices: number;
  boost: number;
  failures: number;
  slow: number;
}
const STABLE: Flavour = { version: '1.0.0', devices: 6, boost: 0.6, failures: 2, slow: 1 };
const BETTER: Flavour = { version: '2.0.0', devices: 6, boost: 1.2, failures: 2, slow: 1 };
const FAILING: Flavour = { version: '3.0.0', devices: 6, boost: 0.6, failures: 30, slow: 1 };
const SLOW: Flavour = { version: '4.0.0', devices: 6, boost: 0.6, failures: 2, slow: 4 };
const FEW: Flavour = { version: '5.0.0', devices: 3, boost: 1.2, failures: 2, slow: 1 };

describe.each(BACKENDS)('canary comparison on $name', (backend) => {
  let core: Core;
  let c: Running;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const now = Date.now();
  /** Raw rows per version: labelled calls, and counts of calls and failures. */
  const raw: Record<string, { labelled: Labelled[]; calls: number; failures: number }> = {};

  const canary = async (version: string, query = '') =>
    get(`${c.url}/v1/models/churn/versions/${version}/canary?from=${now - 40 * MIN}&to=${now}${query}`, c.keys.read);

  beforeAll(async () => {
    core = await sharedCore();
    hook = await webhookReceiver();
    c = await startCollector(backend);
    for (const f of [STABLE, BETTER, FAILING, SLOW, FEW]) {
      raw[f.version] = { labelled: [], calls: 0, failures: 0 };
      for (let d = 0; d < f.devices; d++) {
        // The same population for every version: the same seeds, so the same inputs.
        const calls = labelledRows(1000 + d, 200, f.boost);
        const r = rng(d);
        const p = core.profile({ columns: COLUMNS });
        try {
          p.recordNumbers(
            'x',
            calls.map(() => 10 + 5 * r()),
          );
          p.recordLabels(
            `${OUT}.predicted`,
            calls.map((x) => CLASSES[argmax(x.scores)]),
          );
          p.recordNumbers(
            `${OUT}.confidence`,
            calls.map((x) => Math.max(...x.scores)),
          );
          const failed = Array.from({ length: f.failures }, (_, i) => ['input', 'inference', 'output'][i % 3]);
          p.recordNumbers(
            'health.latency_ms',
            [...calls, ...failed].map((_, i) => f.slow * (5 + ((i * 37 + d) % 50))),
          );
          p.recordLabels('health.failure', failed);
          recordFeedback(p, calls.slice(0, 60));
          const start = now - 30 * MIN + d * MIN;
          p.meta = {
            model: 'churn',
            modelVersion: f.version,
            windowStart: String(start),
            windowEnd: String(start + MIN),
            deviceId: `device-${d}`,
            uploadId: `upload-${f.version}-${d}`,
          };
          expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, p.toBytes())).status).toBe(200);
        } finally {
          p.dispose();
        }
        raw[f.version].labelled.push(...calls.slice(0, 60));
        raw[f.version].calls += calls.length + f.failures;
        raw[f.version].failures += f.failures;
      }
    }
  });
  afterAll(async () => {
    await c?.stop();
    await hook?.close();
  });

  it('promotes a version no worse than its peer, with the figures of the raw rows', async () => {
    const r = await canary(BETTER.version, `&against=${STABLE.version}`);
    expect(r.status).toBe(200);
    expect(r.body.verdict).toBe('promote');
    for (const f of [BETTER, STABLE]) {
      const side = f === BETTER ? r.body.canary : r.body.stable;
      expect(side).toMatchObject({ version: f.version, devices: 6, suppressed: false });
      expect(side.health.failures).toBe(raw[f.version].failures);
      expect(side.health.calls).toBe(raw[f.version].calls);
      expect(side.outputs[OUT].labelled).toBe(raw[f.version].labelled.length);
      expect(side.outputs[OUT].accuracy).toBeCloseTo(expectedPerformance(raw[f.version].labelled).accuracy, 12);
    }
    expect(r.body.canary.outputs[OUT].accuracy).toBeGreaterThan(r.body.stable.outputs[OUT].accuracy);
    // The same inputs; the predictions moved (a better model predicts differently).
    expect(r.body.driftedInputs).toEqual([]);
    expect(r.body.columns.x.drifted.drifted).toBe(false);
    expect(r.body.driftedPredictions).toContain(`${OUT}.confidence`);
    expect(r.body.reasons[0]).toBe('no worse than 1.0.0 on failures, latency and accuracy');
  });

  it('rolls back a version that fails more calls, or is slower', async () => {
    const failing = await canary(FAILING.version, `&against=${STABLE.version}`);
    expect(failing.body.verdict).toBe('rollback');
    const rate = (v: string) => raw[v].failures / raw[v].calls;
    expect(failing.body.canary.health.failureRate).toBeCloseTo(rate(FAILING.version), 12);
    expect(failing.body.reasons[0]).toBe(
      `failure rate ${(100 * rate(FAILING.version)).toFixed(1)} % against ${(100 * rate(STABLE.version)).toFixed(1)} % (more than 1.0 % worse)`,
    );
    const slow = await canary(SLOW.version, `&against=${STABLE.version}`);
    expect(slow.body.verdict).toBe('rollback');
    expect(slow.body.reasons[0]).toMatch(/^latency p99 [0-9.]+ ms against [0-9.]+ ms/);
    // Four times slower: so are its quantiles (to the sketch's relative error, 1.08 %).
    const q = slow.body.canary.latency['0.99'] / slow.body.stable.latency['0.99'];
    expect(Math.abs(q - 4)).toBeLessThan(4 * 0.03);
  });

  it('holds a version with fewer than k devices, and one without data', async () => {
    const few = await canary(FEW.version, `&against=${STABLE.version}`);
    expect(few.body).toMatchObject({ verdict: 'hold', reasons: ['5.0.0: fewer than 5 devices in the range'] });
    expect(few.body.canary.health).toBeUndefined();
    const none = await get(
      `${c.url}/v1/models/churn/versions/2.0.0/canary?against=1.0.0&from=${now - 5 * 60 * MIN}&to=${now - 4 * 60 * MIN}`,
      c.keys.read,
    );
    expect(none.body.reasons).toEqual(['2.0.0: no data in the range', '1.0.0: no data in the range']);
  });

  it("compares with the rollback target by default, and keeps each version's metadata", async () => {
    expect((await canary(BETTER.version)).status).toBe(400);
    const meta = {
      owner: 'ml-team',
      criticality: 'high',
      trainingSnapshot: 's3://data/weather/2026-11-30',
      schemaVersion: '3',
      rollbackTarget: STABLE.version,
    };
    const put = (key: string, body: unknown) =>
      fetch(`${c.url}/v1/models/churn/versions/2.0.0/metadata`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put(c.keys.read, meta)).status).toBe(403);
    expect((await put(c.keys.admin, { ...meta, criticality: 'vital' })).status).toBe(400);
    expect((await put(c.keys.admin, { ...meta, rollbackTarget: '2.0.0' })).status).toBe(400);
    expect((await put(c.keys.admin, meta)).status).toBe(200);
    expect((await get(`${c.url}/v1/models/churn/versions/2.0.0/metadata`, c.keys.read)).body).toEqual(meta);
    const r = await canary(BETTER.version);
    expect(r.body).toMatchObject({ verdict: 'promote', stable: { version: STABLE.version } });
  });

  it('sends the verdict of a watched version to its webhook when it changes', async () => {
    const watch = (version: string, body: unknown) =>
      fetch(`${c.url}/v1/models/churn/versions/${version}/canary/watch`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await watch('2.0.0', { webhookUrl: hook.url })).status).toBe(200);
    expect((await watch('3.0.0', { against: '1.0.0', window: '1h', webhookUrl: hook.url })).status).toBe(200);
    let r = await c.collector.runAlerts(now + 1000);
    expect(new Set(r.canaries)).toEqual(
      new Set([
        { model: 'churn', version: '2.0.0', against: '1.0.0', from: null, to: 'promote' },
        { model: 'churn', version: '3.0.0', against: '1.0.0', from: null, to: 'rollback' },
      ]),
    );
    const bodies = hook.received.map((x) => x.body).sort((a, b) => a.version.localeCompare(b.version));
    expect(bodies.map((b) => [b.event, b.version, b.verdict])).toEqual([
      ['canary.verdict', '2.0.0', 'promote'],
      ['canary.verdict', '3.0.0', 'rollback'],
    ]);
    expect(bodies[1].reasons[0]).toMatch(/^failure rate/);
    // Unchanged: nothing more. An hour on, no data on either side: held, and notified.
    r = await c.collector.runAlerts(now + 2000);
    expect(r.canaries).toEqual([]);
    r = await c.collector.runAlerts(now + 60 * MIN);
    expect(r.canaries?.map((x) => x.to)).toEqual(['hold', 'hold']);
    expect(hook.received).toHaveLength(4);
  });
});
