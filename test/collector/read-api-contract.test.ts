// The read API's contract on both back-ends, from real uploads: every route the dashboard and the
// CLI read answers what its schema in edgewatch/read-api says, and its handler returns exactly
// that. The serializer alone would hide a handler's extra field (it drops what the schema lacks),
// so each handler's own value is checked too, before serialization, against the same schema:
// an unknown field anywhere, a missing required one, or a wrong type fails here.
import { Ajv, type ValidateFunction } from 'ajv';
import * as readApi from 'edgewatch/read-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import type { Profile } from '../../src/core/profile.ts';
import type { ColumnSpec } from '../../src/core/types.ts';
import { rng } from '../helpers/random.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { argmax, CLASSES, FEEDBACK_COLUMNS, type Labelled, labelledRows, OUT, recordFeedback } from './helpers/feedback.ts';

const MIN = 60_000;

const COLUMNS: ColumnSpec[] = [
  // One centre for every device: uploads centred on their own data would not merge.
  { name: 'x', kind: 'numeric', center: 0 },
  { name: 'plan', kind: 'categorical' },
  { name: `${OUT}.predicted`, kind: 'categorical', vocabulary: CLASSES },
  { name: `${OUT}.confidence`, kind: 'grid' },
  { name: 'health.latency_ms', kind: 'numeric', center: 0 },
  { name: 'health.failure', kind: 'categorical', vocabulary: ['input', 'inference', 'output', 'recording'] },
  ...FEEDBACK_COLUMNS,
];

const ajv = new Ajv({ allErrors: true });
const compiled = new Map<object, ValidateFunction>();
function validatorOf(schema: object): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const v = ajv.compile(schema);
  compiled.set(schema, v);
  return v;
}

/** What a value breaks of a schema: ajv's errors as `path message` lines, none when it holds. */
function breaches(schema: object, value: unknown): string[] {
  const v = validatorOf(schema);
  if (v(value)) return [];
  return (v.errors ?? []).map(
    (e) =>
      `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${e.params.additionalProperty}"` : ''}`,
  );
}

describe.each(BACKENDS)('the read API contract on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const from = now - 40 * MIN;
  /** Per route (method and URL pattern): the schema it answered with, and its handlers' breaches. */
  const handled = new Map<string, { schema: object; breaches: string[] }>();

  const send = async (method: string, path: string, key: string, body?: unknown) => {
    const binary = body instanceof Uint8Array;
    const res = await fetch(`${c.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body ? { 'content-type': binary ? 'application/octet-stream' : 'application/json' } : {}),
      },
      body: binary ? (body as BodyInit) : body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };

  /** Reads a route, and checks both its answer and its handler's value against the route's schema. */
  async function expectContract(method: string, path: string, schema: object, key: string, body?: unknown) {
    const res = method === 'GET' ? await get(`${c.url}${path}`, key) : await send(method, path, key, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
    const route = `${method} ${path.split('?')[0]}`;
    const record = handled.get(route);
    if (!record) throw new Error(`${route} went through no checked handler`);
    // The route serializes with the module's schema, not a copy of its own.
    expect(record.schema).toBe(schema);
    expect(record.breaches, `${route}: the handler's value`).toEqual([]);
    expect(breaches(schema, res.body), `${route}: the answer`).toEqual([]);
    handled.delete(route);
    return res.body;
  }

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, {}, (app) => {
      // Sees the handler's value before the serializer shapes it (JSON round trip: what it would
      // send if nothing dropped or coerced a field).
      app.addHook('preSerialization', async (req, reply, payload) => {
        const schema = (req.routeOptions.schema?.response as Record<number, object> | undefined)?.[reply.statusCode];
        if (schema && reply.statusCode === 200) {
          const key = `${req.method} ${req.url.split('?')[0]}`;
          handled.set(key, { schema, breaches: breaches(schema, JSON.parse(JSON.stringify(payload))) });
        }
        return payload;
      });
    });
    const baseline = core.profile({ columns: COLUMNS.slice(0, 4) });
    const r0 = rng(99);
    baseline.recordNumbers(
      'x',
      Array.from({ length: 2000 }, () => 10 + 5 * r0()),
    );
    baseline.recordLabels(
      'plan',
      Array.from({ length: 2000 }, (_, i) => ['free', 'pro', 'team'][i % 3]),
    );
    await putBaseline(c, baseline);
    baseline.dispose();
    // Two versions of ten devices in two regions; the west of 1.0.0 drifts (x moved, one plan).
    for (const version of ['1.0.0', '2.0.0']) {
      for (let d = 0; d < 10; d++) {
        const region = d < 5 ? 'east' : 'west';
        const calls = labelledRows(1000 + d, 200, version === '1.0.0' ? 0.6 : 1.2);
        const shift = version === '1.0.0' && region === 'west' ? 20 : 0;
        const p = core.profile({ columns: COLUMNS });
        try {
          record(p, calls, d, shift);
          const start = now - 30 * MIN + d * MIN;
          p.meta = {
            model: 'churn',
            modelVersion: version,
            windowStart: String(start),
            windowEnd: String(start + MIN),
            deviceId: `device-${d}`,
            uploadId: `upload-${version}-${d}`,
            segment: JSON.stringify({ region }),
          };
          expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, p.toBytes())).status).toBe(200);
        } finally {
          p.dispose();
        }
      }
    }
  });
  afterAll(async () => {
    await c?.stop();
  });

  const v = '/v1/models/churn/versions/1.0.0';
  const range = `from=${from}&to=${now}`;
  const hour = now - (now % (60 * MIN)) - 60 * MIN;
  const hourRange = `from=${hour}&to=${hour + 60 * MIN}`;

  it('models, profile, drift, summaries, segments and their ranking', async () => {
    const models = await expectContract('GET', '/v1/models', readApi.modelsSchema, c.keys.read);
    expect(models.models.map((m: { version: string }) => m.version)).toEqual(['1.0.0', '2.0.0']);
    const profile = await expectContract('GET', `${v}/profile?${range}`, readApi.profileSchema, c.keys.read);
    expect(profile).toMatchObject({ suppressed: false, devices: 10 });
    expect(Object.keys(profile.baseline).sort()).toEqual(
      COLUMNS.slice(0, 4)
        .map((s) => s.name)
        .sort(),
    );
    const suppressed = await expectContract(
      'GET',
      `${v}/profile?${range}&segment=${encodeURIComponent('{"region":"north"}')}`,
      readApi.profileSchema,
      c.keys.read,
    );
    expect(suppressed.suppressed).toBe(true);
    const drift = await expectContract('GET', `${v}/drift?${range}&step=${20 * MIN}`, readApi.driftSchema, c.keys.read);
    // Every upload falls in the first step: the second holds none, so it is suppressed.
    expect(drift.points.map((p: { suppressed: boolean }) => p.suppressed)).toEqual([false, true]);
    expect(drift.points[0].columns.x.drifted.drifted).toBe(true);
    const summaries = await expectContract(
      'GET',
      `${v}/summaries?${range}&step=${20 * MIN}&columns=x,plan`,
      readApi.summariesSchema,
      c.keys.read,
    );
    expect(Object.keys(summaries.points[0].columns.x.quantiles)).toEqual([...readApi.STEP_QUANTILES]);
    const segments = await expectContract('GET', `${v}/segments?${range}`, readApi.segmentsSchema, c.keys.read);
    expect(segments.segments.map((s: { segment: { region: string } }) => s.segment.region).sort()).toEqual(['east', 'west']);
    for (const q of ['column=x', `output=${OUT}`, 'column=x&by=region']) {
      const ranking = await expectContract('GET', `${v}/segments/ranking?${range}&${q}`, readApi.segmentRankingSchema, c.keys.read);
      expect(ranking.segments).toHaveLength(2);
    }
  });

  it('performance and the canary comparison', async () => {
    const perf = await expectContract('GET', `${v}/performance?${range}`, readApi.performanceSchema, c.keys.read);
    expect(perf.outputs[OUT].labelled).toBe(600);
    const canary = await expectContract('GET', '/v1/models/churn/versions/2.0.0/canary?against=1.0.0', readApi.canarySchema, c.keys.read);
    expect(canary.stable.version).toBe('1.0.0');
    const none = await expectContract(
      'GET',
      `/v1/models/churn/versions/2.0.0/canary?against=1.0.0&from=${now - 5 * 60 * MIN}&to=${now - 4 * 60 * MIN}`,
      readApi.canarySchema,
      c.keys.read,
    );
    expect(none.verdict).toBe('hold');
    const watch = `/v1/models/churn/versions/2.0.0/canary/watch`;
    await expectContract('PUT', watch, readApi.canaryWatchSchema, c.keys.admin, {
      against: '1.0.0',
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    await expectContract('DELETE', watch, readApi.okSchema, c.keys.admin);
  });

  it('rules, alerts, SLOs and incidents with their actions', async () => {
    const rule = { name: 'moved', metric: 'drifted', op: '>=', threshold: 1, for: 1, severity: 'ticket', owner: 'ml-team' };
    await expectContract('PUT', '/v1/alerts/rules/moved', readApi.ruleSavedSchema, c.keys.admin, rule);
    const owners = { data: 'data-team', platform: 'platform', model: 'ml-team' };
    const defaults = await expectContract('POST', '/v1/alerts/rules/defaults', readApi.rulesSchema, c.keys.admin, { owners });
    expect(defaults.rules.length).toBeGreaterThan(1);
    const slo = { name: 'fast', model: 'churn', indicator: 'latency', threshold: 40, objective: 0.9, owner: 'platform' };
    await expectContract('PUT', '/v1/slos/fast', readApi.okSchema, c.keys.admin, slo);
    await c.collector.runAlerts(now + 1000);

    const rules = await expectContract('GET', '/v1/alerts/rules', readApi.rulesSchema, c.keys.read);
    expect(rules.rules.map((r: { name: string }) => r.name)).toContain('fast.burn-1h-5m');
    const alerts = await expectContract('GET', '/v1/alerts?state=all', readApi.alertsSchema, c.keys.read);
    expect(alerts.alerts.some((a: { rule: string; state: string }) => a.rule === 'moved' && a.state === 'firing')).toBe(true);
    const slos = await expectContract('GET', '/v1/slos', readApi.slosSchema, c.keys.read);
    expect(slos.slos[0].versions.map((s: { version: string }) => s.version)).toEqual(['1.0.0', '2.0.0']);

    const list = await expectContract('GET', '/v1/incidents?state=all', readApi.incidentsSchema, c.keys.read);
    expect(list.incidents.length).toBeGreaterThan(0);
    const id = list.incidents.find((i: { version: string }) => i.version === '1.0.0').id;
    const detail = await expectContract('GET', `/v1/incidents/${id}`, readApi.incidentDetailSchema, c.keys.read);
    expect(detail.incident.signals.length).toBeGreaterThan(0);
    for (const [action, body] of [
      ['acknowledge', { by: 'ana', for: '1h', note: 'looking' }],
      ['silence', { by: 'ana', for: '2h' }],
      ['snooze', { by: 'ana', until: now + 3 * 60 * MIN }],
      ['decide', { by: 'ana', decision: 'roll back 1.0.0' }],
    ] as const) {
      const acted = await expectContract('POST', `/v1/incidents/${id}/${action}`, readApi.incidentActedSchema, c.keys.read, body);
      expect(acted.timeline.at(-1).kind).toBeTruthy();
    }
    await expectContract('DELETE', '/v1/slos/fast', readApi.okSchema, c.keys.admin);
    await expectContract('DELETE', '/v1/alerts/rules/moved', readApi.okSchema, c.keys.admin);
  });

  it("private mode's error bars: profile and performance of noisy uploads", async () => {
    const p3 = '/v1/models/churn/versions/3.0.0';
    const baseline = core.profile({ columns: COLUMNS });
    record(baseline, labelledRows(7, 2000), 0, 0);
    const set = await expectContract('PUT', `${p3}/baseline`, readApi.baselineSetSchema, c.keys.admin, baseline.toBytes());
    baseline.dispose();
    expect(set.columns).toHaveLength(COLUMNS.length);
    const { columns: grid }: readApi.Of<typeof readApi.gridSchema> = await expectContract(
      'GET',
      '/v1/grid/churn/3.0.0',
      readApi.gridSchema,
      c.keys.ingest,
    );
    await expectContract('GET', `${p3}/grid`, readApi.gridSchema, c.keys.read);
    const columns = Object.entries(grid).map(
      ([name, g]): ColumnSpec =>
        'edges' in g ? { name, kind: 'grid', edges: g.edges } : { name, kind: 'categorical', vocabulary: g.vocabulary },
    );
    for (let d = 0; d < 6; d++) {
      const p = core.profile({ columns });
      try {
        record(p, labelledRows(2000 + d, 200), d, 0);
        p.addNoise(1);
        // Private data is read only over whole hours: the windows sit in the last closed one.
        const start = hour + d * MIN;
        p.meta = {
          model: 'churn',
          modelVersion: '3.0.0',
          windowStart: String(start),
          windowEnd: String(start + MIN),
          deviceId: `private-${d}`,
          uploadId: `upload-private-${d}`,
          privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale: 1 }),
        };
        expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, p.toBytes())).status).toBe(200);
      } finally {
        p.dispose();
      }
    }
    const profile = await expectContract('GET', `${p3}/profile?${hourRange}`, readApi.profileSchema, c.keys.read);
    expect(profile.privacy).toMatchObject({ noisyUploads: 6, noiseScales: { '1': 6 } });
    const perf = await expectContract('GET', `${p3}/performance?${hourRange}`, readApi.performanceSchema, c.keys.read);
    expect(perf.cellError.sd).toBeGreaterThan(0);
    expect(perf.outputs[OUT].labelledError.sd).toBeGreaterThan(0);
    const pinned = await expectContract('POST', `${v}/baseline/pin`, readApi.baselinePinnedSchema, c.keys.admin, { from, to: now });
    expect(pinned).toMatchObject({ ok: true, devices: 10 });
  });
});

/** One device's calls of a window into `p`: inputs, predictions, health and 60 labelled rows. */
function record(p: Profile, calls: Labelled[], d: number, shift: number) {
  const r = rng(d);
  p.recordNumbers(
    'x',
    calls.map(() => 10 + shift + 5 * r()),
  );
  p.recordLabels(
    'plan',
    calls.map((_, i) => (shift ? 'team' : ['free', 'pro', 'team'][i % 3])),
  );
  p.recordLabels(
    `${OUT}.predicted`,
    calls.map((x) => CLASSES[argmax(x.scores)]),
  );
  p.recordNumbers(
    `${OUT}.confidence`,
    calls.map((x) => Math.max(...x.scores)),
  );
  p.recordNumbers(
    'health.latency_ms',
    calls.map((_, i) => 5 + ((i * 37 + d) % 50)),
  );
  p.recordLabels('health.failure', d === 0 ? ['inference'] : []);
  recordFeedback(p, calls.slice(0, 60));
}
