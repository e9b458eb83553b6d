// The read side over real HTTP on both back-ends: merged profiles equal a profile of all the raw
// rows recorded at once, k-anonymity holds on every read, projects are sealed from each other,
// the private-mode grid follows the baseline's data, and drift is the core's compare of exactly
// the rows of each step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { createKey } from '../../src/collector/keys.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { expectClose } from './helpers/close.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe.each(BACKENDS)('read API on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const base = now - (now % HOUR) - 3 * HOUR;
  const stepRows: Row[][] = [[], [], []];
  const training = makeRows(100, 5000);
  const v = (path: string) => `${c.url}/v1/models/churn/versions/1.0.0${path}`;

  async function upload(step: number, device: number, rows: Row[], segment: Record<string, string>) {
    const bytes = makePayload(core, {
      deviceId: `device-${device.toString().padStart(4, '0')}`,
      uploadId: `upload-${step}-${device}`,
      windowStart: base + step * HOUR + device * MIN,
      segment,
      rows,
    });
    const r = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
    expect(r.status).toBe(200);
    stepRows[step].push(...rows);
  }

  beforeAll(async () => {
    core = await sharedCore();
    // The metrics' rolling window covers all three steps.
    c = await startCollector(backend, { evalWindows: '4h', alertIntervalMs: 0 });
    // Step 0: six devices, no drift. Five report region eu, one us.
    for (let d = 0; d < 6; d++) await upload(0, d, makeRows(d, 120), { region: d < 5 ? 'eu' : 'us' });
    // Step 1: the same six devices, ages shifted by 15 years.
    for (let d = 0; d < 6; d++) await upload(1, d, makeRows(10 + d, 120, 15), { region: d < 5 ? 'eu' : 'us' });
    // Step 2: only four devices: below k = 5.
    for (let d = 0; d < 4; d++) await upload(2, d, makeRows(20 + d, 50), { region: 'eu' });
  });
  afterAll(() => c?.stop());

  it('a merged profile equals the profile of all raw rows, and its counts are the raw counts', async () => {
    const r = await get(v(`/profile?from=${base}&to=${base + HOUR}`), c.keys.read);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ suppressed: false, devices: 6, uploads: 6, rows: 720, layouts: 1 });
    const rows = stepRows[0];
    const ages = rows.map((x) => x.age).filter((a): a is number => a !== null);
    expect(r.body.columns.age.count).toBe(rows.length);
    expect(r.body.columns.age.missing).toBe(rows.length - ages.length);
    expect(r.body.columns.age.min).toBe(Math.min(...ages));
    expect(r.body.columns.age.max).toBe(Math.max(...ages));
    expect(r.body.columns.age.sum).toBeCloseTo(
      ages.reduce((a, b) => a + b, 0),
      6,
    );
    const plans = new Map<string, number>();
    for (const x of rows) plans.set(x.plan, (plans.get(x.plan) ?? 0) + 1);
    const items = Object.fromEntries(r.body.columns.plan.items.map((i: { value: string; count: number }) => [i.value, i.count]));
    expect(items).toEqual(Object.fromEntries(plans));
    const truth = profileOfRows(core, rows);
    try {
      expectClose(r.body.columns.age, json(truth.summary('age')));
      expectClose(r.body.columns.income, json(truth.summary('income')));
    } finally {
      truth.dispose();
    }
  });

  it('never returns an aggregate of fewer than k devices', async () => {
    const step2 = await get(v(`/profile?from=${base + 2 * HOUR}&to=${base + 3 * HOUR}`), c.keys.read);
    expect(step2.body).toEqual({ from: base + 2 * HOUR, to: base + 3 * HOUR, k: 5, suppressed: true }); // below k: no counts either
    const us = await get(v(`/profile?from=${base}&to=${base + 3 * HOUR}&segment=${encodeURIComponent('{"region":"us"}')}`), c.keys.read);
    expect(us.body.suppressed).toBe(true);
    expect(us.body.columns).toBeUndefined();
    const eu = await get(v(`/profile?from=${base}&to=${base + 3 * HOUR}&segment=${encodeURIComponent('{"region":"eu"}')}`), c.keys.read);
    expect(eu.body).toMatchObject({ suppressed: false, devices: 5, uploads: 14 });
    const segs = await get(v(`/segments?from=${base}&to=${base + 3 * HOUR}`), c.keys.read);
    expect(segs.body.segments).toEqual([
      { segment: { region: 'eu' }, devices: 5, uploads: 14, rows: 5 * 240 + 200, lastUploadAt: expect.any(Number) },
    ]);
    expect(segs.body.segments[0].lastUploadAt).toBeGreaterThanOrEqual(now);
  });

  it('seals projects: an ingest key cannot read, another project sees nothing', async () => {
    const beta = (await createKey(c.collector.context.db, { project: 'beta', kind: 'read' })).key;
    const betaAdmin = (await createKey(c.collector.context.db, { project: 'beta', kind: 'admin' })).key;
    expect((await get(`${c.url}/v1/models`, beta)).body).toEqual({ k: 5, models: [] });
    const leak = await get(v(`/profile?from=${base}&to=${base + HOUR}`), beta);
    expect(leak.body).toMatchObject({ suppressed: true, devices: 0 });
    expect((await get(v('/drift'), betaAdmin)).status).toBe(404);
    for (const path of ['/profile', '/drift', '/segments']) {
      expect((await get(v(path), c.keys.ingest)).status).toBe(403);
    }
    expect((await get(`${c.url}/v1/models`, c.keys.ingest)).status).toBe(403);
    expect((await get(`${c.url}/v1/models`, undefined)).status).toBe(401);
    const mine = await get(`${c.url}/v1/models`, c.keys.read);
    expect(mine.body.models).toEqual([
      expect.objectContaining({
        model: 'churn',
        version: '1.0.0',
        devices: 6,
        columns: { age: 'numeric', income: 'numeric', plan: 'categorical' },
        // The first device's window of the first step: when the version began reporting.
        firstWindowAt: base,
      }),
    ]);
  });

  it('derives the private-mode grid from the baseline; only an admin key sets it', async () => {
    expect((await get(v('/grid'), c.keys.read)).status).toBe(404);
    const bytes = (() => {
      const p = profileOfRows(core, training);
      try {
        return p.toBytes();
      } finally {
        p.dispose();
      }
    })();
    const put = (key: string) =>
      fetch(v('/baseline'), {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
        body: bytes as BodyInit,
      });
    expect((await put(c.keys.read)).status).toBe(403);
    expect((await put(c.keys.ingest)).status).toBe(403);
    expect((await put(c.keys.admin)).status).toBe(200);

    const grid = await get(v(`/grid?key=${c.keys.ingest}`), undefined);
    expect(grid.status).toBe(200);
    // The edge runtime's path answers the same, with the key in its header.
    expect((await get(`${c.url}/v1/grid/churn/1.0.0`, c.keys.ingest)).body).toEqual(grid.body);
    const byName = grid.body.columns;
    expect(Object.keys(byName).sort()).toEqual(['age', 'income', 'plan']);
    expect(byName.plan).toEqual({ vocabulary: [...new Set(training.map((x) => x.plan))].sort() });
    // Every edge is one of the training data's exact percentiles j/64, within the sketch's
    // relative error (1.08% at scale 5); percentiles falling in one bucket collapse into one edge.
    const incomes = training.map((x) => x.income).sort((a, b) => a - b);
    const exact = Array.from({ length: 63 }, (_, j) => incomes[Math.floor(((j + 1) / 64) * (incomes.length - 1))]);
    const edges: number[] = byName.income.edges;
    expect(edges.length).toBeGreaterThan(20);
    expect(edges.length).toBeLessThanOrEqual(63);
    for (const e of edges) expect(exact.some((q) => Math.abs(q - e) <= 0.0109 * q)).toBe(true);
    expect(Math.abs(edges[0] - exact[0])).toBeLessThanOrEqual(0.0109 * exact[0]);
    expect(Math.abs(edges.at(-1)! - exact[62])).toBeLessThanOrEqual(0.0109 * exact[62]);
    for (let i = 1; i < edges.length; i++) expect(edges[i]).toBeGreaterThan(edges[i - 1]);
    for (let i = 1; i < byName.age.edges.length; i++) expect(byName.age.edges[i]).toBeGreaterThan(byName.age.edges[i - 1]);
  });

  it("reports drift per step as the core's compare of exactly that step's rows", async () => {
    const r = await get(v(`/drift?from=${base}&to=${base + 3 * HOUR}&step=${HOUR}`), c.keys.read);
    expect(r.status).toBe(200);
    expect(r.body.points).toHaveLength(3);
    const baseline = profileOfRows(core, training);
    try {
      for (const step of [0, 1]) {
        const current = profileOfRows(core, stepRows[step]);
        try {
          const truth = json(core.compare(baseline, current));
          expect(r.body.points[step]).toMatchObject({ suppressed: false, devices: 6 });
          expectClose(r.body.points[step].columns, truth.columns);
          const drifted = Object.values(truth.columns).filter((col: any) => col.drifted.drifted).length;
          expect(r.body.points[step].driftedColumns).toBe(drifted);
          expect(r.body.points[step].comparedColumns).toBe(3);
        } finally {
          current.dispose();
        }
      }
    } finally {
      baseline.dispose();
    }
    expect(r.body.points[0].columns.age.drifted.drifted).toBe(false);
    expect(r.body.points[1].columns.age.drifted.drifted).toBe(true);
    expect(r.body.points[2]).toEqual({ from: base + 2 * HOUR, to: base + 3 * HOUR, suppressed: true });
  });

  it('exports per-model metrics over the rolling window, from the same merge and compare', async () => {
    const m = await get(`${c.url}/metrics`, undefined);
    const version = 'project="alpha",model="churn",version="1.0.0",segment=""';
    // The collector's one rolling window, 4 h: every figure but freshness carries it.
    const v = `${version},window="4h"`;
    const all = [...stepRows[0], ...stepRows[1], ...stepRows[2]];
    expect(m.body).toContain(`edgewatch_model_devices{${v}} 6`);
    expect(m.body).toContain(`edgewatch_model_rows{${v}} ${all.length}`);
    expect(m.body).toContain(`edgewatch_model_uploads{${v}} 16`);
    expect(m.body).toContain(`edgewatch_column_values{${v},column="age",state="count"} ${all.length}`);
    expect(m.body).toContain(`edgewatch_column_values{${v},column="age",state="missing"} ${all.filter((r) => r.age === null).length}`);
    expect(m.body).toMatch(new RegExp(`edgewatch_model_freshness_seconds\\{${version}\\} \\d`));
    const baseline = profileOfRows(core, training);
    const current = profileOfRows(core, all);
    try {
      const truth = core.compare(baseline, current).columns;
      for (const col of ['age', 'income', 'plan']) {
        expect(m.body).toContain(`edgewatch_column_drifted{${v},column="${col}"} ${truth[col].drifted.drifted ? 1 : 0}`);
      }
      const psi = Number(new RegExp(`edgewatch_column_drift\\{${v},column="age",statistic="psi"\\} (\\S+)`).exec(m.body)![1]);
      expect(psi).toBeCloseTo((truth.age as { psi: number }).psi, 9);
      const p99 = Number(new RegExp(`edgewatch_column_quantile\\{${v},column="income",quantile="0.99"\\} (\\S+)`).exec(m.body)![1]);
      expect(p99).toBe(current.quantiles('income', [0.99])[0]);
    } finally {
      baseline.dispose();
      current.dispose();
    }
  });

  it('pins a live range as the baseline, never one below k devices', async () => {
    const pin = (key: string, from: number, to: number) =>
      fetch(v('/baseline/pin'), {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from, to }),
      });
    expect((await pin(c.keys.read, base, base + HOUR)).status).toBe(403);
    const few = await pin(c.keys.admin, base + 2 * HOUR, base + 3 * HOUR);
    expect(few.status).toBe(422);
    expect(((await few.json()) as { reason: string }).reason).toBe('k_anonymity');
    const ok = await pin(c.keys.admin, base, base + HOUR);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, devices: 6, rows: 720 });
    const [row] = await c.collector.context.db.query<{ payload: Uint8Array }>("select payload from baselines where model = 'churn'");
    const stored = core.profileFromBytes(row.payload);
    try {
      expect(Object.values(stored.meta).join('')).not.toContain('device-');
    } finally {
      stored.dispose();
    }
    // The pinned hour against itself: identical distributions.
    const r = await get(v(`/drift?from=${base}&to=${base + HOUR}&step=${HOUR}`), c.keys.read);
    const cols = r.body.points[0].columns;
    expect(cols.age.ks.statistic).toBe(0);
    expect(cols.age.drifted.drifted).toBe(false);
    expect(cols.plan.chi2.statistic).toBe(0);
  });
});
