// The 1 h and 24 h rolling windows, on both back-ends: /metrics carries each window's figures
// under its `window` label — devices, rows, counts, quantiles and the core's drift verdict of
// exactly the rows uploaded in that window — the same before and after the closed hours are
// folded into hourly rollups (which the 24 h window then reads); a rule observes the window it
// names, with the window in its series key, evidence and link; a rule without one gets the
// collector's first window; a window the collector does not evaluate is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe.each(BACKENDS)('1 h and 24 h rolling windows on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const hourStart = now - (now % HOUR);
  const training = makeRows(100, 3000);
  // Earlier today: seven devices over two closed hours, ages 20 years older than in training.
  // The last hour: six of them, as in training.
  const earlier: Row[] = [];
  const recent: Row[] = [];

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { publicUrl: 'https://watch.example' });
    const baseline = profileOfRows(core, training);
    await putBaseline(c, baseline);
    baseline.dispose();
    const send = async (into: Row[], d: number, windowStart: number, seed: number, shift: number) => {
      const rows = makeRows(seed, 150, shift);
      into.push(...rows);
      const payload = makePayload(core, { deviceId: `device-${d}`, uploadId: `upload-${seed}`, windowStart, rows });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, payload)).status).toBe(200);
    };
    for (const h of [6, 5]) for (let d = 0; d < 7; d++) await send(earlier, d, hourStart - h * HOUR + d * MIN, h * 100 + d, 20);
    for (let d = 0; d < 6; d++) await send(recent, d, now - 30 * MIN + d * MIN, 1000 + d, 0);
  });
  afterAll(() => c?.stop());

  /** The truth of a window: the rows uploaded in it, recorded at once and compared by the core. */
  function truthOf(rows: Row[]) {
    const b = profileOfRows(core, training);
    const p = profileOfRows(core, rows);
    try {
      return {
        drift: core.compare(b, p).columns,
        p99: p.quantiles('income', [0.99])[0],
        missing: rows.filter((r) => r.age === null).length,
      };
    } finally {
      b.dispose();
      p.dispose();
    }
  }

  async function expectWindows() {
    const m = (await get(`${c.url}/metrics`, undefined)).body as string;
    const version = 'project="alpha",model="churn",version="1.0.0",segment=""';
    const windows: [string, Row[], number][] = [
      ['1h', recent, 6],
      ['24h', [...earlier, ...recent], 7],
    ];
    for (const [window, rows, devices] of windows) {
      const v = `${version},window="${window}"`;
      const t = truthOf(rows);
      expect(m).toContain(`edgewatch_model_devices{${v}} ${devices}`);
      expect(m).toContain(`edgewatch_model_rows{${v}} ${rows.length}`);
      expect(m).toContain(`edgewatch_column_values{${v},column="age",state="missing"} ${t.missing}`);
      expect(m).toContain(`edgewatch_column_quantile{${v},column="income",quantile="0.99"} ${t.p99}`);
      for (const col of ['age', 'income', 'plan']) {
        expect(m).toContain(`edgewatch_column_drifted{${v},column="${col}"} ${t.drift[col].drifted.drifted ? 1 : 0}`);
      }
    }
    // Freshness is one series per version: no window.
    expect(m).toMatch(new RegExp(`^edgewatch_model_freshness_seconds\\{${version}\\} \\S+$`, 'm'));
    expect(m).not.toMatch(/edgewatch_model_freshness_seconds\{[^}]*window=/);
  }

  it('exports each window from exactly its rows, the same once closed hours are rolled up and their raw rows gone', async () => {
    // The knob works: the day's traffic drifted, the last hour's did not.
    expect(truthOf([...earlier, ...recent]).drift.age.drifted.drifted).toBe(true);
    expect(truthOf(recent).drift.age.drifted.drifted).toBe(false);
    await expectWindows();
    expect(await c.collector.runRollups(now)).toBeGreaterThanOrEqual(14);
    const hourly = await c.collector.context.db.query<{ n: number }>('select count(*)::int as n from rollups where hour <= $1', [
      hourStart - 5 * HOUR,
    ]);
    expect(hourly[0].n).toBe(2);
    await expectWindows();
    // The 24 h window reads those whole hours from their rollups: without their raw rows (as
    // after retention) it still holds every row.
    const pruned = await c.collector.context.db.query('delete from uploads where rolled and window_start < $1 returning id', [
      hourStart - 4 * HOUR,
    ]);
    expect(pruned).toHaveLength(14);
    await expectWindows();
  });

  it('a rule observes the window it names; an unknown window is refused', async () => {
    const put = (name: string, body: Record<string, unknown>) =>
      fetch(`${c.url}/v1/alerts/rules/${name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          metric: 'drifted',
          column: 'age',
          op: '>=',
          threshold: 1,
          for: 1,
          severity: 'ticket',
          owner: 'ml-team',
          ...body,
        }),
      });
    expect((await put('age-day', { window: '24h' })).status).toBe(200);
    expect((await put('age-hour', {})).status).toBe(200);
    const refused = await put('age-6h', { window: '6h' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toContain(
      'window "6h" is not evaluated by this collector (--eval-windows 1h,24h)',
    );
    expect((await put('age-bad', { window: 'a day' })).status).toBe(400);
    const listed = (await get(`${c.url}/v1/alerts/rules`, c.keys.read)).body.rules as { name: string; window: string }[];
    expect(listed.map((r) => [r.name, r.window])).toEqual([
      ['age-day', '24h'],
      ['age-hour', '1h'],
    ]);

    const { transitions } = await c.collector.runAlerts(now);
    expect(transitions).toEqual([{ rule: 'age-day', series: 'churn|1.0.0|age|24h', to: 'firing' }]);
    const alerts = (await get(`${c.url}/v1/alerts`, c.keys.read)).body.alerts as { rule: string; evidence: any }[];
    const e = alerts.find((a) => a.rule === 'age-day')!.evidence;
    expect(e).toMatchObject({ column: 'age', statistic: 'drifted', value: 1, window: { name: '24h', from: now - DAY, to: now } });
    expect(e.link).toBe(`https://watch.example/#/models/churn/versions/1.0.0/columns/age?from=${now - DAY}&to=${now}`);
  });

  it("gives a rule without a window the first the collector evaluates, e.g. the demo's 30 s", async () => {
    const other = await startCollector(backend, { evalWindows: '30s,6h' });
    try {
      const res = await fetch(`${other.url}/v1/alerts/rules/defaults`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ owners: { data: 'd', platform: 'p', model: 'm' } }),
      });
      expect(res.status).toBe(200);
      const rules = ((await res.json()) as { rules: { window: string }[] }).rules;
      expect(rules.length).toBeGreaterThan(5);
      expect(new Set(rules.map((r) => r.window))).toEqual(new Set(['30s']));
      const put = await fetch(`${other.url}/v1/alerts/rules/hourly`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${other.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'hourly',
          metric: 'devices',
          op: '<',
          threshold: 5,
          for: 1,
          severity: 'ticket',
          owner: 'd',
          window: '1h',
        }),
      });
      expect(put.status).toBe(400);
    } finally {
      await other.stop();
    }
  });
});
