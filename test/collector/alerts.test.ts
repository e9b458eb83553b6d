// Alert rules end to end on both back-ends: drift in real uploads takes an alert from pending
// to firing after `for` windows, its incident's webhook is retried until it is delivered,
// repeats are not notified again, the return to normal resolves it, and nothing is raised from
// an aggregate below k devices. Grouping and the on-call actions: incidents.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows } from './helpers/payloads.ts';
import { webhookReceiver } from './helpers/webhook.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(BACKENDS)('alerts on $name', (backend) => {
  let core: Core;
  let c: Running;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let slack: Awaited<ReturnType<typeof webhookReceiver>>;
  const now = Date.now();
  const base = now - (now % HOUR) - 3 * HOUR;

  const put = (path: string, key: string, body: unknown) =>
    fetch(`${c.url}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    core = await sharedCore();
    hook = await webhookReceiver(1);
    slack = await webhookReceiver();
    c = await startCollector(backend, { alertIntervalMs: 0, publicUrl: 'https://watch.example' });
    const baseline = profileOfRows(core, makeRows(100, 3000));
    await putBaseline(c, baseline);
    baseline.dispose();
    // Hour 0: six devices, ages shifted by 20 years. Hour 1: six devices, no shift.
    // Model "tiny": three devices only, shifted — below k = 5.
    const send = async (model: string, hour: number, d: number, shift: number) => {
      const bytes = makePayload(core, {
        model,
        deviceId: `device-${model}-${d}`,
        uploadId: `upload-${model}-${hour}-${d}`,
        windowStart: base + hour * HOUR + (5 + d) * MIN,
        rows: makeRows(hour * 10 + d, 150, shift),
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    };
    for (let d = 0; d < 6; d++) await send('churn', 0, d, 20);
    for (let d = 0; d < 6; d++) await send('churn', 1, d, 0);
    for (let d = 0; d < 3; d++) await send('tiny', 0, d, 20);
  });
  afterAll(async () => {
    await c?.stop();
    await hook?.close();
    await slack?.close();
  });

  it('validates rules and lets only admin keys write them', async () => {
    const rule = {
      name: 'age-drift',
      metric: 'drifted',
      column: 'age',
      op: '>=',
      threshold: 1,
      for: 2,
      severity: 'page',
      owner: 'ml-team',
      webhookUrl: hook.url,
    };
    expect((await put('/v1/alerts/rules/age-drift', c.keys.read, rule)).status).toBe(403);
    expect((await put('/v1/alerts/rules/age-drift', c.keys.admin, { ...rule, metric: 'vibes' })).status).toBe(400);
    expect((await put('/v1/alerts/rules/age-drift', c.keys.admin, { ...rule, for: 0 })).status).toBe(400);
    expect((await put('/v1/alerts/rules/age-drift', c.keys.admin, rule)).status).toBe(200);
    const stale = {
      name: 'stale',
      metric: 'freshness_seconds',
      op: '>=',
      threshold: 0,
      for: 1,
      severity: 'ticket',
      owner: 'data-team',
      webhookUrl: slack.url,
      webhookFormat: 'slack',
    };
    expect((await put('/v1/alerts/rules/stale', c.keys.admin, stale)).status).toBe(200);
    const listed = await get(`${c.url}/v1/alerts/rules`, c.keys.read);
    expect(listed.body.rules.map((r: { name: string }) => r.name)).toEqual(['age-drift', 'stale']);
  });

  it('goes pending → firing → resolved, retries the webhook, and notifies each change once', async () => {
    const t1 = base + HOUR; // the window [t1 - 1 h, t1) holds the shifted hour
    let r = await c.collector.runAlerts(t1);
    expect(r.transitions).toEqual(
      expect.arrayContaining([
        { rule: 'age-drift', series: 'churn|1.0.0|age|1h', to: 'pending' },
        { rule: 'stale', series: 'churn|1.0.0|1h', to: 'firing' },
      ]),
    );
    // Nothing for "tiny": three devices are below k.
    expect(JSON.stringify(r.transitions)).not.toContain('tiny');
    expect(hook.received).toHaveLength(0);
    // The stale rule opens the version's incident: one notification.
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0].body.text).toMatch(
      /^:rotating_light: \[ticket\] incident #\d+ opened: churn@1\.0\.0, 1 signal, owner data-team/,
    );
    expect(slack.received[0].body.text).toContain('version: freshness_seconds');

    r = await c.collector.runAlerts(t1 + 1);
    expect(r.transitions).toEqual([{ rule: 'age-drift', series: 'churn|1.0.0|age|1h', to: 'firing' }]);
    // The receiver refuses the first attempt; the retry waits out its backoff.
    expect(hook.received.map((x) => x.status)).toEqual([500]);
    expect((await c.collector.runAlerts(t1 + 500)).sent).toBe(0);
    expect((await c.collector.runAlerts(t1 + 1500)).sent).toBe(1);
    expect(hook.received.map((x) => x.status)).toEqual([500, 200]);
    // The drift joins the same incident and raises it to a page: one notification of the change.
    const firing = hook.received[1].body;
    expect(firing).toMatchObject({
      event: 'incident.severity',
      incident: { project: 'alpha', model: 'churn', version: '1.0.0', severity: 'page', owners: ['data-team', 'ml-team'] },
    });
    expect(slack.received.map((x) => x.body.text.split(':')[1])).toEqual(['rotating_light', 'arrow_up_down']);
    const signal = firing.signals.find((x: { rule: string }) => x.rule === 'age-drift');
    // The signal is the statistic the verdict rests on, not the rule's 0/1 flag.
    expect(signal).toMatchObject({
      column: 'age',
      state: 'firing',
      severity: 'page',
      owner: 'ml-team',
      // The column view at the alert's window.
      link: `https://watch.example/#/models/churn/versions/1.0.0/columns/age?from=${t1 + 1 - HOUR}&to=${t1 + 1}`,
    });
    expect(['ks.pvalue', 'wasserstein_norm']).toContain(signal.statistic);
    expect(signal.statistic === 'ks.pvalue' ? signal.value < signal.threshold : signal.value >= signal.threshold).toBe(true);
    const listed = (await get(`${c.url}/v1/alerts`, c.keys.read)).body.alerts.find((a: { rule: string }) => a.rule === 'age-drift');
    expect(listed).toMatchObject({ state: 'firing', incidentId: firing.incident.id });
    expect(listed.evidence).toMatchObject({
      project: 'alpha',
      model: 'churn',
      version: '1.0.0',
      column: 'age',
      statistic: 'drifted',
      value: 1,
      // An alert's evidence is that of its latest evaluation (the retry's round).
      op: '>=',
      threshold: 1,
      window: { name: '1h', from: t1 + 1500 - HOUR, to: t1 + 1500 },
    });
    // Baseline vs current quantiles: the current median is about 20 years above the baseline's.
    const [b50, c50] = listed.evidence.quantiles['0.5'];
    expect(c50 - b50).toBeGreaterThan(15);

    const m = await get(`${c.url}/metrics`, undefined);
    expect(m.body).toContain('edgewatch_alerts_firing{project="alpha",severity="page",owner="ml-team"} 1');

    // Still drifted: no new notification.
    r = await c.collector.runAlerts(t1 + 2000);
    expect(r.transitions).toEqual([]);
    expect(hook.received).toHaveLength(2);

    // The next hour is back to normal: resolved; the incident (still stale) is back to a ticket.
    r = await c.collector.runAlerts(base + 2 * HOUR);
    expect(r.transitions).toEqual([{ rule: 'age-drift', series: 'churn|1.0.0|age|1h', to: 'resolved' }]);
    expect(hook.received.at(-1)!.body).toMatchObject({ event: 'incident.severity', incident: { severity: 'ticket' } });
    expect(hook.received.at(-1)!.body.signals.find((x: { rule: string }) => x.rule === 'age-drift').state).toBe('resolved');

    const all = await get(`${c.url}/v1/alerts?state=all`, c.keys.read);
    const ageAlerts = all.body.alerts.filter((a: { rule: string }) => a.rule === 'age-drift');
    expect(ageAlerts).toHaveLength(1);
    expect(ageAlerts[0]).toMatchObject({ state: 'resolved', firedAt: t1 + 1, resolvedAt: base + 2 * HOUR });
    expect((await get(`${c.url}/v1/alerts`, c.keys.ingest)).status).toBe(403);
  });

  it('raises a data-quality alert when a column goes missing, with the checks as evidence', async () => {
    // Hour 2: six devices whose age column is missing in every row — no drift (nothing to
    // compare), but a data-quality problem.
    for (let d = 0; d < 6; d++) {
      const rows = makeRows(20 + d, 150).map((row) => ({ ...row, age: null }));
      const bytes = makePayload(core, {
        model: 'churn',
        deviceId: `device-churn-${d}`,
        uploadId: `upload-quality-${d}`,
        windowStart: base + 2 * HOUR + (5 + d) * MIN,
        rows,
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    }
    const rule = {
      name: 'age-quality',
      metric: 'quality_flagged',
      column: 'age',
      op: '>=',
      threshold: 1,
      for: 1,
      severity: 'ticket',
      owner: 'data-team',
    };
    expect((await put('/v1/alerts/rules/age-quality', c.keys.admin, rule)).status).toBe(200);
    const r = await c.collector.runAlerts(base + 3 * HOUR);
    expect(r.transitions).toEqual(expect.arrayContaining([{ rule: 'age-quality', series: 'churn|1.0.0|age|1h', to: 'firing' }]));
    expect(JSON.stringify(r.transitions)).not.toContain('"rule":"age-drift"');
    const all = await get(`${c.url}/v1/alerts?state=all`, c.keys.read);
    const alert = all.body.alerts.find((a: { rule: string }) => a.rule === 'age-quality');
    expect(alert).toMatchObject({ state: 'firing', owner: 'data-team' });
    expect(JSON.stringify(alert)).toContain('missing_rate_change');
  });

  it('raises a schema-change alert when the uploads lack a baseline column, and exports the count', async () => {
    // A model of its own, its windows minutes before the wall clock: /metrics evaluates at the
    // real now (no background rounds in tests), so the uploads must be in its last hour whatever
    // the minute of the hour the test runs at.
    const baseline = profileOfRows(core, makeRows(100, 3000));
    await putBaseline(c, baseline, 'schema-m/versions/1.0.0');
    baseline.dispose();
    const now = Date.now();
    // Six devices whose app no longer records `plan`.
    const columns = [
      { name: 'age', kind: 'numeric' as const },
      { name: 'income', kind: 'numeric' as const },
    ];
    for (let d = 0; d < 6; d++) {
      const rows = makeRows(30 + d, 150).map(({ age, income }) => ({ age, income }));
      const bytes = makePayload(core, {
        model: 'schema-m',
        deviceId: `device-schema-${d}`,
        uploadId: `upload-schema-${d}`,
        windowStart: now - (8 - d) * MIN,
        rows: rows as never,
        columns,
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    }
    const rule = { name: 'schema', metric: 'schema_changes', op: '>=', threshold: 1, for: 1, severity: 'ticket', owner: 'data-team' };
    expect((await put('/v1/alerts/rules/schema', c.keys.admin, { ...rule, column: 'age' })).status).toBe(400);
    expect((await put('/v1/alerts/rules/schema', c.keys.admin, rule)).status).toBe(200);
    const r = await c.collector.runAlerts(now);
    expect(r.transitions).toEqual(expect.arrayContaining([{ rule: 'schema', series: 'schema-m|1.0.0|1h', to: 'firing' }]));
    const all = await get(`${c.url}/v1/alerts?state=all`, c.keys.read);
    const alert = all.body.alerts.find(
      (a: { rule: string; evidence: { model?: string } }) => a.rule === 'schema' && a.evidence.model === 'schema-m',
    );
    expect(alert).toMatchObject({ state: 'firing', owner: 'data-team' });
    expect(alert.evidence).toMatchObject({ value: 1, missing: ['plan'], changed: [] });
    const m = await get(`${c.url}/metrics`, undefined);
    expect(m.body).toMatch(/edgewatch_model_schema_changes\{[^}]*model="schema-m"[^}]*change="missing"\} 1/);
  });
});
