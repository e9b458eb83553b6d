// When uploads stop, on both back-ends: each rule's noData policy decides (resolve, keep, or the
// 'no_data' state, which opens an incident), distinct from a window of fewer than k devices,
// which leaves every alert as it is; when uploads come back, no-data alerts give way to the
// rules' own series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(BACKENDS)('no data on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  // Hour 0: six devices, shifted. Hour 1: three devices (below k = 5). Hour 2: nothing.
  // Hour 3: six devices again, not shifted.
  const base = now - (now % HOUR) - 4 * HOUR;

  const state = async () => {
    const { alerts } = (await get(`${c.url}/v1/alerts?state=all`, c.keys.read)).body as {
      alerts: { rule: string; series: string; state: string }[];
    };
    const out: Record<string, string> = {};
    // The newest alert of each rule and series (the list is newest first).
    for (const a of alerts.reverse()) out[`${a.rule} ${a.series}`] = a.state;
    return out;
  };
  const upload = async (hour: number, devices: number, shift: number) => {
    for (let d = 0; d < devices; d++) {
      const bytes = makePayload(core, {
        deviceId: `device-${d}`,
        uploadId: `upload-${hour}-${d}`,
        windowStart: base + hour * HOUR + 5 * MIN,
        rows: makeRows(hour * 10 + d, 150, shift),
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    }
  };

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend);
    const baseline = profileOfRows(core, makeRows(100, 3000));
    await putBaseline(c, baseline);
    baseline.dispose();
    await upload(0, 6, 20);
    await upload(1, 3, 20);
    await upload(3, 6, 0);
    const rule = { metric: 'drifted', column: 'age', op: '>=', threshold: 1, for: 1, severity: 'ticket', owner: 'ml-team' };
    const rules = [
      { ...rule, name: 'drift-resolve' }, // the default policy
      { ...rule, name: 'drift-keep', noData: 'keep' },
      { ...rule, name: 'drift-alert', noData: 'alert' },
      // Never holds: only its no-data state can raise anything.
      { name: 'traffic', metric: 'devices', op: '<', threshold: 0, for: 1, severity: 'page', owner: 'platform', noData: 'alert' },
    ];
    for (const r of rules) {
      const res = await fetch(`${c.url}/v1/alerts/rules/${r.name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(r),
      });
      expect(res.status).toBe(200);
    }
    const bad = await fetch(`${c.url}/v1/alerts/rules/x`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...rule, name: 'x', noData: 'ignore' }),
    });
    expect(bad.status).toBe(400);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('fires on data, and leaves alerts as they are over fewer than k devices', async () => {
    await c.collector.runAlerts(base + HOUR);
    const firing = {
      'drift-resolve churn|1.0.0|age|1h': 'firing',
      'drift-keep churn|1.0.0|age|1h': 'firing',
      'drift-alert churn|1.0.0|age|1h': 'firing',
    };
    expect(await state()).toEqual(firing);
    const r = await c.collector.runAlerts(base + 2 * HOUR);
    expect(r.transitions).toEqual([]);
    expect(await state()).toEqual(firing);
  });

  it("applies each rule's policy when the window holds no upload", async () => {
    const r = await c.collector.runAlerts(base + 3 * HOUR);
    expect(new Set(r.transitions)).toEqual(
      new Set([
        { rule: 'drift-resolve', series: 'churn|1.0.0|age|1h', to: 'resolved' },
        { rule: 'drift-alert', series: 'churn|1.0.0|age|1h', to: 'no_data' },
        { rule: 'traffic', series: 'churn|1.0.0|1h', to: 'no_data' },
      ]),
    );
    expect(await state()).toEqual({
      'drift-resolve churn|1.0.0|age|1h': 'resolved',
      'drift-keep churn|1.0.0|age|1h': 'firing',
      'drift-alert churn|1.0.0|age|1h': 'no_data',
      'traffic churn|1.0.0|1h': 'no_data',
    });
    // The incident holds the no-data signals; the traffic rule's page makes it a page.
    const { incidents } = (await get(`${c.url}/v1/incidents`, c.keys.read)).body;
    expect(incidents).toHaveLength(1);
    expect(incidents[0].severity).toBe('page');
    const noData = incidents[0].signals.filter((s: { state: string }) => s.state === 'no_data');
    expect(noData.map((s: { rule: string; statistic: string; value: null }) => [s.rule, s.statistic, s.value]).sort()).toEqual([
      ['drift-alert', 'no_data', null],
      ['traffic', 'no_data', null],
    ]);
    // A second silent round changes nothing.
    expect((await c.collector.runAlerts(base + 3 * HOUR + MIN)).transitions).toEqual([]);
  });

  it("gives way to the rules' own series when uploads come back", async () => {
    await c.collector.runAlerts(base + 4 * HOUR);
    expect(await state()).toEqual({
      'drift-resolve churn|1.0.0|age|1h': 'resolved',
      'drift-keep churn|1.0.0|age|1h': 'resolved',
      'drift-alert churn|1.0.0|age|1h': 'resolved',
      'traffic churn|1.0.0|1h': 'resolved',
    });
    const { incidents } = (await get(`${c.url}/v1/incidents?state=all`, c.keys.read)).body;
    expect(incidents.map((i: { state: string }) => i.state)).toEqual(['resolved']);
  });
});
