// Segments in the rolling snapshot, on both back-ends: every segment of k devices gets its own
// figures in /metrics (label `segment`, "" for all traffic) compared with the version's baseline,
// a per-segment rule fires for the segment that drifted and no other, its alert carries the
// segment and links to the dashboard's view of it, and a segment below k devices appears nowhere;
// a segment quiet in the window keeps only its freshness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { snapshot } from '../../src/collector/read/snapshot.ts';
import { parseHash } from '../../src/dashboard/state/route.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const EU = { region: 'eu' };
const US = { region: 'us', app: 'web' };
const APAC = { region: 'apac' };
// Canonical JSON: keys sorted.
const EU_KEY = '{"region":"eu"}';
const US_KEY = '{"app":"web","region":"us"}';

describe.each(BACKENDS)('segments in metrics and alerts on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const training = makeRows(100, 3000);
  const rows = new Map<string, Row[]>([
    ['eu', []],
    ['us', []],
    ['apac', []],
  ]);

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { publicUrl: 'https://watch.example', metricsToken: 'scrape' }); // per-segment series need it
    const baseline = profileOfRows(core, training);
    await putBaseline(c, baseline);
    baseline.dispose();
    // eu: six devices as in training. us: five devices, ages 20 years older. apac: four devices
    // (below k = 5), just as shifted.
    let i = 0;
    const send = async (name: string, segment: Record<string, string>, devices: number, shift: number) => {
      for (let d = 0; d < devices; d++, i++) {
        const r = makeRows(200 + i, 120, shift);
        rows.get(name)!.push(...r);
        const payload = makePayload(core, {
          deviceId: `device-${name}-${d}`,
          uploadId: `upload-${name}-${d}`,
          windowStart: now - 40 * MIN + i * MIN,
          segment,
          rows: r,
        });
        expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, payload)).status).toBe(200);
      }
    };
    await send('eu', EU, 6, 0);
    await send('us', US, 5, 20);
    await send('apac', APAC, 4, 20);
  });
  afterAll(() => c?.stop());

  /** The core's compare of the baseline with exactly these rows: the drift truth. */
  function driftOf(r: Row[]) {
    const b = profileOfRows(core, training);
    const p = profileOfRows(core, r);
    try {
      return core.compare(b, p).columns;
    } finally {
      b.dispose();
      p.dispose();
    }
  }

  it('exports every segment of k devices next to all traffic, and nothing of a smaller one', async () => {
    const m = (await get(`${c.url}/metrics`, 'scrape')).body as string;
    // Freshness carries no window; every other figure here is the 1 h window's.
    const version = (key: string) => `project="alpha",model="churn",version="1.0.0",segment="${key.replaceAll('"', '\\"')}"`;
    const label = (key: string) => `${version(key)},window="1h"`;
    const all = [...rows.get('eu')!, ...rows.get('us')!, ...rows.get('apac')!];
    // All traffic counts every device, the small segment's included; each segment its own.
    expect(m).toContain(`edgewatch_model_devices{${label('')}} 15`);
    expect(m).toContain(`edgewatch_model_rows{${label('')}} ${all.length}`);
    expect(m).toContain(`edgewatch_model_devices{${label(EU_KEY)}} 6`);
    expect(m).toContain(`edgewatch_model_rows{${label(EU_KEY)}} ${rows.get('eu')!.length}`);
    expect(m).toContain(`edgewatch_model_devices{${label(US_KEY)}} 5`);
    expect(m).toContain(
      `edgewatch_column_values{${label(US_KEY)},column="age",state="missing"} ${rows.get('us')!.filter((r) => r.age === null).length}`,
    );
    for (const [key, r] of [
      ['', all],
      [EU_KEY, rows.get('eu')!],
      [US_KEY, rows.get('us')!],
    ] as const) {
      const truth = driftOf(r);
      for (const col of ['age', 'income', 'plan']) {
        expect(m).toContain(`edgewatch_column_drifted{${label(key)},column="${col}"} ${truth[col].drifted.drifted ? 1 : 0}`);
      }
    }
    expect(driftOf(rows.get('eu')!).age.drifted.drifted).toBe(false);
    expect(driftOf(rows.get('us')!).age.drifted.drifted).toBe(true);
    // Freshness per segment, from its own last upload.
    for (const key of ['', EU_KEY, US_KEY])
      expect(m).toMatch(new RegExp(`edgewatch_model_freshness_seconds\\{${version(key).replace(/[{}\\]/g, '\\$&')}\\} \\d`));
    expect(m).not.toContain('apac');
  });

  it('a per-segment rule fires for the drifted segment only, with the segment in its key, evidence and link', async () => {
    const put = (name: string, body: Record<string, unknown>) =>
      fetch(`${c.url}/v1/alerts/rules/${name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, for: 1, severity: 'ticket', owner: 'ml-team', ...body }),
      });
    expect((await put('age-by-segment', { metric: 'drifted', column: 'age', op: '>=', threshold: 1, bySegment: true })).status).toBe(200);
    expect((await put('stale-by-segment', { metric: 'freshness_seconds', op: '>=', threshold: 0, bySegment: true })).status).toBe(200);
    expect((await put('bad', { metric: 'drifted', op: '>=', threshold: 1, bySegment: 'yes' })).status).toBe(400);
    const listed = (await get(`${c.url}/v1/alerts/rules`, c.keys.read)).body.rules as { name: string; bySegment: boolean }[];
    expect(listed.map((r) => [r.name, r.bySegment])).toEqual([
      ['age-by-segment', true],
      ['stale-by-segment', true],
    ]);

    const at = Date.now();
    const { transitions } = await c.collector.runAlerts(at);
    expect(transitions).toEqual(
      expect.arrayContaining([
        { rule: 'age-by-segment', series: `churn|1.0.0|age|${US_KEY}|1h`, to: 'firing' },
        { rule: 'stale-by-segment', series: `churn|1.0.0|${EU_KEY}|1h`, to: 'firing' },
        { rule: 'stale-by-segment', series: `churn|1.0.0|${US_KEY}|1h`, to: 'firing' },
      ]),
    );
    // Nothing else: no eu drift, no whole-version series from a per-segment rule, no apac.
    expect(transitions).toHaveLength(3);

    const alerts = (await get(`${c.url}/v1/alerts`, c.keys.read)).body.alerts as { rule: string; series: string; evidence: any }[];
    const drift = alerts.find((a) => a.rule === 'age-by-segment')!;
    expect(drift.evidence).toMatchObject({
      model: 'churn',
      version: '1.0.0',
      column: 'age',
      segment: US,
      value: 1,
      window: { name: '1h', from: at - HOUR, to: at },
    });
    // The link opens the dashboard's column view of that segment at the alert's window.
    const link: string = drift.evidence.link;
    expect(link.startsWith('https://watch.example/')).toBe(true);
    expect(parseHash(link.slice(link.indexOf('#')))).toEqual({
      view: { name: 'column', model: 'churn', version: '1.0.0', column: 'age' },
      range: { from: at - HOUR, to: at },
      segment: US,
      alertFilter: 'open',
    });
    expect(JSON.stringify(alerts)).not.toContain('apac');
  });

  it('evaluates at most evalMaxSegments segments per version, those with the most devices', async () => {
    const states = await snapshot(c.collector.context.db, core, { ...c.collector.context.options, evalMaxSegments: 1 });
    expect(states.map((s) => [s.segment, s.window, s.devices])).toEqual([
      [null, '1h', 15],
      [null, '24h', 15],
      [EU, '1h', 6],
      [EU, '24h', 6],
    ]);
  });

  it('keeps the freshness of a segment whose 1 h window holds nothing, and nothing else of it there; its 24 h window still holds everything', async () => {
    const later = Date.now() + 2 * HOUR;
    const states = await snapshot(c.collector.context.db, core, c.collector.context.options, later);
    const hour = states.filter((s) => s.window === '1h');
    expect(hour.map((s) => [s.segment, s.visible, s.columns])).toEqual([
      [null, false, undefined],
      [EU, false, undefined],
      [US, false, undefined],
    ]);
    const day = states.filter((s) => s.window === '24h');
    expect(day.map((s) => [s.segment, s.visible, s.devices, s.rows])).toEqual([
      [null, true, 15, [...rows.values()].flat().length],
      [EU, true, 6, rows.get('eu')!.length],
      [US, true, 5, rows.get('us')!.length],
    ]);
    for (const s of states) expect(s.freshnessSeconds).toBeGreaterThanOrEqual(2 * 3600);
  });
});
