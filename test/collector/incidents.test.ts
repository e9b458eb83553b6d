// Incidents on both back-ends, from real uploads: one shift of traffic that drifts three columns,
// on the whole version and on its segment, is one incident with one notification; its signals
// name each column's statistic, value and threshold; acknowledge, snooze and silence (from the
// API and the `edgewatch` command) mute it until their expiry, after which it is notified again;
// its severity follows its signals; it resolves when traffic stops; its postmortem draft holds
// the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { edgewatch } from '../cli/helpers.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows } from './helpers/payloads.ts';
import { webhookReceiver } from './helpers/webhook.ts';

const MIN = 60_000;
const SEGMENT = { app: '5.2', region: 'new-york' };

describe.each(BACKENDS)('incidents on $name', (backend) => {
  let core: Core;
  let c: Running;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const now = Date.now();
  let incidentId: number;

  const send = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${c.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const incident = async () => (await get(`${c.url}/v1/incidents/${incidentId}`, c.keys.read)).body;
  const events = () => hook.received.map((x) => x.body.event);

  beforeAll(async () => {
    core = await sharedCore();
    hook = await webhookReceiver();
    c = await startCollector(backend, { publicUrl: 'https://watch.example' });
    const baseline = profileOfRows(core, makeRows(100, 3000));
    await putBaseline(c, baseline);
    baseline.dispose();
    // Six devices of one segment, half an hour ago: older, richer, all on the enterprise plan.
    for (let d = 0; d < 6; d++) {
      const rows = makeRows(10 + d, 200, 20).map((r) => ({ ...r, income: r.income * 3, plan: 'enterprise' }));
      const bytes = makePayload(core, {
        deviceId: `device-${d}`,
        uploadId: `upload-${d}`,
        windowStart: now - 30 * MIN,
        segment: SEGMENT,
        rows,
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    }
    const rules = [
      { name: 'drift', metric: 'drifted', op: '>=', threshold: 1, for: 1, severity: 'ticket', owner: 'ml-team', webhookUrl: hook.url },
      {
        name: 'drift-by-segment',
        metric: 'drifted',
        bySegment: true,
        op: '>=',
        threshold: 1,
        for: 1,
        severity: 'ticket',
        owner: 'ml-team',
        webhookUrl: hook.url,
      },
      // Holds from the first round, fires on the seventh: the incident's severity changes then.
      {
        name: 'income-psi',
        metric: 'drift.psi',
        column: 'income',
        op: '>',
        threshold: 0.2,
        for: 7,
        severity: 'page',
        owner: 'platform',
        webhookUrl: hook.url,
      },
    ];
    for (const r of rules) expect((await send('PUT', `/v1/alerts/rules/${r.name}`, c.keys.admin, r)).status).toBe(200);
  });
  afterAll(async () => {
    await c?.stop();
    await hook?.close();
  });

  it('groups the alerts of one shift into one incident, notified once with its signals', async () => {
    await c.collector.runAlerts(now + 1000);
    expect(events()).toEqual(['incident.opened']);
    const body = hook.received[0].body;
    expect(body.incident).toMatchObject({ model: 'churn', version: '1.0.0', state: 'open', severity: 'ticket', owners: ['ml-team'] });
    incidentId = body.incident.id;
    expect(body.incident.link).toBe(`https://watch.example/#/incidents/${incidentId}`);
    // Three columns on the whole version and three on the segment; the pending PSI rule not yet.
    const firing = body.signals.filter((s: { state: string }) => s.state === 'firing');
    expect(firing.map((s: { column: string; segment: unknown }) => `${s.column}${s.segment ? '@segment' : ''}`).sort()).toEqual([
      'age',
      'age@segment',
      'income',
      'income@segment',
      'plan',
      'plan@segment',
    ]);
    for (const s of firing) {
      // The statistic behind the verdict, with its value on the drifted side of its threshold.
      expect(s.statistic).not.toBe('drifted');
      expect(s.statistic.endsWith('pvalue') ? s.value < s.threshold : s.value >= s.threshold).toBe(true);
      expect(s.op).toBe(s.statistic.endsWith('pvalue') ? '<' : '>=');
    }
    const { incident: inc, timeline, segmentRanking } = await incident();
    expect(inc.columns.sort()).toEqual(['age', 'income', 'plan']);
    expect(inc.segments).toEqual([SEGMENT]);
    // Per drifted column, its segments of k devices by contribution: the only one here, whose
    // absence would leave no traffic to compare (so no contribution figure).
    expect(Object.keys(segmentRanking).sort()).toEqual(['age', 'income', 'plan']);
    expect(
      segmentRanking.age.map((s: { segment: unknown; devices: number; driftContribution: null }) => [
        s.segment,
        s.devices,
        s.driftContribution,
      ]),
    ).toEqual([[SEGMENT, 6, null]]);
    expect(segmentRanking.age[0].drift.drifted.drifted).toBe(true);
    expect(timeline.filter((t: { kind: string }) => t.kind === 'signal')).toHaveLength(6);
    // The same shift seen again is not notified again.
    await c.collector.runAlerts(now + 2000);
    expect(events()).toEqual(['incident.opened']);
  });

  it('acknowledges from the command line until an expiry, then notifies it as still open', async () => {
    const r = await edgewatch([
      'incidents',
      'ack',
      String(incidentId),
      '--by',
      'alice',
      '--for',
      '10m',
      '--note',
      'looking',
      '--url',
      c.url,
      '--key',
      c.keys.read,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^incident #${incidentId} acknowledged by alice until \\d{4}-`));
    expect((await incident()).incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    const listed = await edgewatch(['incidents', 'list', '--url', c.url, '--key', c.keys.read]);
    expect(listed.stdout).toContain(`#${incidentId}`);
    expect(listed.stdout).toContain('acknowledged');
    expect(listed.stdout).toContain('age, income, plan');
    await c.collector.runAlerts(now + 5 * MIN);
    expect(events()).toEqual(['incident.opened']);
    await c.collector.runAlerts(now + 11 * MIN);
    expect(events()).toEqual(['incident.opened', 'incident.reopened']);
    expect((await incident()).incident.state).toBe('open');
  });

  it('snoozes: hidden from the active list and quiet until the expiry', async () => {
    expect((await send('POST', `/v1/incidents/${incidentId}/snooze`, c.keys.read, { by: 'bob' })).status).toBe(400);
    expect((await send('POST', `/v1/incidents/${incidentId}/snooze`, c.keys.read, { by: 'bob', until: now - 1 })).status).toBe(400);
    expect((await send('POST', `/v1/incidents/${incidentId}/snooze`, c.keys.ingest, { by: 'bob', for: '5m' })).status).toBe(403);
    expect((await send('POST', `/v1/incidents/999999/snooze`, c.keys.read, { by: 'bob', for: '5m' })).status).toBe(404);
    expect((await send('POST', `/v1/incidents/${incidentId}/snooze`, c.keys.read, { by: 'bob', for: '15m' })).status).toBe(200);
    const ids = async (state: string) =>
      (await get(`${c.url}/v1/incidents?state=${state}`, c.keys.read)).body.incidents.map((i: { id: number }) => i.id);
    expect(await ids('active')).toEqual([]);
    expect(await ids('snoozed')).toEqual([incidentId]);
    await c.collector.runAlerts(now + 12 * MIN);
    expect(events()).toHaveLength(2);
    await c.collector.runAlerts(now + 17 * MIN);
    expect(events()).toEqual(['incident.opened', 'incident.reopened', 'incident.reopened']);
    expect(await ids('active')).toEqual([incidentId]);
  });

  it('silences: a change of severity is not notified until the silence ends', async () => {
    expect((await send('POST', `/v1/incidents/${incidentId}/silence`, c.keys.read, { by: 'bob', for: '1h' })).status).toBe(200);
    // The PSI rule's seventh round: the incident becomes a page, silently.
    await c.collector.runAlerts(now + 18 * MIN);
    expect((await incident()).incident.severity).toBe('page');
    expect(events()).toHaveLength(3);
  });

  it('resolves when uploads stop, and the postmortem draft holds the record', async () => {
    // Two hours on, the window holds no upload: the rules' default noData policy resolves them;
    // the silence has lapsed, so the resolution is notified.
    await c.collector.runAlerts(now + 2 * 60 * MIN);
    expect(events().at(-1)).toBe('incident.resolved');
    expect((await incident()).incident).toMatchObject({ state: 'resolved' });
    expect((await send('POST', `/v1/incidents/${incidentId}/acknowledge`, c.keys.read, { by: 'bob' })).status).toBe(409);
    const decided = await edgewatch([
      'incidents',
      'decide',
      String(incidentId),
      '--by',
      'alice',
      '--decision',
      'rolled back to 0.9.0',
      '--url',
      c.url,
      '--key',
      c.keys.read,
    ]);
    expect(decided.stderr).toBe('');
    const pm = await edgewatch(['incidents', 'postmortem', String(incidentId), '--url', c.url, '--key', c.keys.read]);
    expect(pm.stdout).toMatch(new RegExp(`^# Postmortem: incident #${incidentId} — churn@1\\.0\\.0\\n`));
    const section = (name: string) => pm.stdout.split(`## ${name}\n`)[1].split('\n## ')[0];
    expect(section('Features')).toBe('\n- age\n- income\n- plan\n');
    expect(section('Segments')).toContain(JSON.stringify(SEGMENT));
    expect(section('Decision')).toContain('rolled back to 0.9.0');
    expect(section('Timeline (UTC)')).toMatch(/acknowledged by alice: until .*Z — looking/);
    expect(section('Timeline (UTC)')).toContain('snoozed by bob');
    expect(section('Signals')).toMatch(/\| income-psi \| page \| income \| drift\.psi \| [0-9.]+ \| > 0\.2 \| resolved \|/);
    const missing = await edgewatch(['incidents', 'show', '999999', '--url', c.url, '--key', c.keys.read]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('edgewatch: the collector answered 404: no incident 999999\n');
  });
});
