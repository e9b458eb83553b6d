// Freshness outlives raw uploads, on both back-ends: a model version (and its segment) silent for
// longer than raw uploads are kept is still found by the snapshot — from its hourly and daily
// rollups — with the freshness of the newest upload its devices sent (read from the raw rows
// before they were pruned), in /metrics and in the default stale-data alert; a version below k
// devices shows no freshness at all.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const EU = '{"region":"eu"}';

describe.each(BACKENDS)('freshness after raw uploads are pruned on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  // Eight days later: past the raw retention and the ingest max age (7 days each, the defaults).
  const later = now + 8 * DAY;
  let last: number;
  const count = async (table: string, model: string) =>
    (await c.collector.context.db.query<{ n: number }>(`select count(*)::int as n from ${table} where model = $1`, [model]))[0].n;

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { metricsToken: 'scrape' }); // per-segment series need it
    // "churn": six devices in region eu, over the last two hours. "tiny": three devices (below k).
    const send = async (model: string, devices: number) => {
      for (let d = 0; d < devices; d++) {
        const payload = makePayload(core, {
          model,
          deviceId: `device-${model}-${d}`,
          uploadId: `upload-${model}-${d}`,
          windowStart: now - 2 * HOUR + d * 10 * MIN,
          segment: { region: 'eu' },
          rows: makeRows(d, 50),
        });
        expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, payload)).status).toBe(200);
      }
    };
    await send('churn', 6);
    await send('tiny', 3);
    // The truth: when the newest upload of churn arrived, as its raw rows say.
    [{ last }] = await c.collector.context.db.query<{ last: number }>("select max(received_at) as last from uploads where model = 'churn'");
    last = Number(last);
  });
  afterAll(() => c?.stop());
  afterEach(() => vi.useRealTimers());

  /** /metrics as scraped at `at`: the snapshot reads the clock. */
  async function metricsAt(at: number): Promise<string> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(at);
    try {
      return (await get(`${c.url}/metrics`, 'scrape')).body as string;
    } finally {
      vi.useRealTimers();
    }
  }

  function expectFreshness(m: string) {
    const age = (later - last) / 1000;
    const version = 'project="alpha",model="churn",version="1.0.0"';
    expect(m).toContain(`edgewatch_model_freshness_seconds{${version},segment=""} ${age}`);
    expect(m).toContain(`edgewatch_model_freshness_seconds{${version},segment="${EU.replaceAll('"', '\\"')}"} ${age}`);
    // Nothing in either rolling window, and nothing at all of the version below k devices.
    expect(m).not.toContain('edgewatch_model_devices{');
    expect(m).not.toContain('model="tiny"');
  }

  it('keeps the freshness of a version whose raw uploads were pruned, in /metrics', async () => {
    expectFreshness(await metricsAt(later));
    // Roll the hours and days up, then let retention prune every raw upload.
    await c.collector.runRollups(later);
    await c.collector.runRollups(later);
    expect((await c.collector.runRetention(later)).raw).toBe(9);
    expect(await count('uploads', 'churn')).toBe(0);
    expect(await count('daily_rollups', 'churn')).toBeGreaterThan(0);
    expectFreshness(await metricsAt(later));
  });

  it('fires the default stale-data alert with that freshness', async () => {
    const defaults = await fetch(`${c.url}/v1/alerts/rules/defaults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owners: { data: 'data-team', platform: 'platform-team', model: 'ml-team' } }),
    });
    expect(defaults.status).toBe(200);
    const { transitions } = await c.collector.runAlerts(later);
    expect(transitions).toEqual([{ rule: 'stale-data', series: 'churn|1.0.0|1h', to: 'firing' }]);
    const alerts = (await get(`${c.url}/v1/alerts`, c.keys.read)).body.alerts as { rule: string; value: number; evidence: any }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'stale-data', value: (later - last) / 1000 });
    expect(alerts[0].evidence).toMatchObject({
      model: 'churn',
      version: '1.0.0',
      statistic: 'freshness_seconds',
      window: { name: '1h', from: later - HOUR, to: later },
    });
  });
});
