// Per-step summaries of chosen columns over real HTTP on both back-ends, with no baseline set:
// each step's counts per value are the raw rows' counts, its quantiles the core's quantiles of
// exactly that step's rows (and within the sketch's relative error of the raw rows' own), and
// every step honours k-anonymity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { createKey } from '../../src/collector/keys.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Relative error bound of a quantile at the default scale 5 (docs/core.md), rounded up. */
const REL = 0.0109;

function countsOf(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** The value at rank floor(q·(n−1)) of the sorted values: the rank the core's quantile reads. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

describe.each(BACKENDS)('summaries API on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const base = now - (now % HOUR) - 3 * HOUR;
  const stepRows: Row[][] = [[], [], []];
  const euRows: Row[] = [];
  const v = (path: string) => `${c.url}/v1/models/churn/versions/1.0.0${path}`;

  async function upload(step: number, device: number, rows: Row[], region: string) {
    const bytes = makePayload(core, {
      deviceId: `device-${device}`,
      uploadId: `upload-${step}-${device}`,
      windowStart: base + step * HOUR + device * MIN,
      segment: { region },
      rows,
    });
    expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    stepRows[step].push(...rows);
    if (step === 0 && region === 'eu') euRows.push(...rows);
  }

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { kAnonymity: 5 });
    // Step 0: six devices (five eu, one us). Step 1: the same six, ages 15 years up. Step 2: four devices, below k.
    for (let d = 0; d < 6; d++) await upload(0, d, makeRows(d, 120), d < 5 ? 'eu' : 'us');
    for (let d = 0; d < 6; d++) await upload(1, d, makeRows(10 + d, 120, 15), d < 5 ? 'eu' : 'us');
    for (let d = 0; d < 4; d++) await upload(2, d, makeRows(20 + d, 50), 'eu');
  });
  afterAll(() => c?.stop());

  it("gives each step's counts per value and quantiles from exactly that step's rows, without a baseline", async () => {
    const r = await get(v(`/summaries?columns=plan,age&from=${base}&to=${base + 3 * HOUR}&step=${HOUR}`), c.keys.read);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ k: 5, step: HOUR, quantiles: ['0.5', '0.9', '0.99'] });
    expect(r.body.points).toHaveLength(3);
    for (const step of [0, 1]) {
      const rows = stepRows[step];
      const point = r.body.points[step];
      expect(point).toMatchObject({
        from: base + step * HOUR,
        to: base + (step + 1) * HOUR,
        suppressed: false,
        devices: 6,
        uploads: 6,
        rows: rows.length,
      });
      // Only the columns asked for.
      expect(Object.keys(point.columns).sort()).toEqual(['age', 'plan']);
      const plan = point.columns.plan;
      expect(plan.kind).toBe('categorical');
      expect(Object.fromEntries(plan.items.map((i: { value: string; count: number }) => [i.value, i.count]))).toEqual(
        countsOf(rows.map((x) => x.plan)),
      );
      const ages = rows.map((x) => x.age).filter((a): a is number => a !== null);
      expect(point.columns.age).toMatchObject({
        kind: 'numeric',
        count: rows.length,
        missing: rows.length - ages.length,
        min: Math.min(...ages),
        max: Math.max(...ages),
      });
      expect(point.columns.plan.quantiles).toBeUndefined();
      // The core's quantiles of the step's rows recorded at once (merging is exact), and within the
      // sketch's relative error of the raw rows' exact quantiles.
      const truth = profileOfRows(core, rows);
      try {
        const qs = truth.quantiles('age', [0.5, 0.9, 0.99]);
        expect(point.columns.age.quantiles).toEqual({ '0.5': qs[0], '0.9': qs[1], '0.99': qs[2] });
      } finally {
        truth.dispose();
      }
      for (const q of ['0.5', '0.9', '0.99']) {
        const exact = exactQuantile(ages, Number(q));
        expect(Math.abs(point.columns.age.quantiles[q] - exact)).toBeLessThanOrEqual(REL * Math.abs(exact));
      }
    }
    // The shifted step shows it: its median is 15 years up, give or take.
    expect(r.body.points[1].columns.age.quantiles['0.5'] - r.body.points[0].columns.age.quantiles['0.5']).toBeGreaterThan(10);
    // Four devices: below k, nothing of them shown, not even their counts.
    expect(r.body.points[2]).toEqual({ from: base + 2 * HOUR, to: base + 3 * HOUR, suppressed: true });
  });

  it('cuts unaligned steps from the raw uploads the same way', async () => {
    const r = await get(v(`/summaries?columns=plan&from=${base}&to=${base + 2 * HOUR}&step=${30 * MIN}`), c.keys.read);
    expect(r.status).toBe(200);
    expect(r.body.points.map((p: { suppressed: boolean }) => p.suppressed)).toEqual([false, true, false, true]);
    const plan = r.body.points[2].columns.plan;
    expect(Object.fromEntries(plan.items.map((i: { value: string; count: number }) => [i.value, i.count]))).toEqual(
      countsOf(stepRows[1].map((x) => x.plan)),
    );
    // An empty half hour: no devices, nothing shown.
    expect(r.body.points[1]).toEqual({ from: base + 30 * MIN, to: base + HOUR, devices: 0, uploads: 0, rows: 0, suppressed: true });
  });

  it('narrows to a segment, and suppresses a segment of fewer than k devices', async () => {
    const seg = (s: object) => encodeURIComponent(JSON.stringify(s));
    const eu = await get(
      v(`/summaries?columns=plan&from=${base}&to=${base + HOUR}&step=${HOUR}&segment=${seg({ region: 'eu' })}`),
      c.keys.read,
    );
    expect(eu.body.points[0]).toMatchObject({ suppressed: false, devices: 5, rows: euRows.length });
    const items = eu.body.points[0].columns.plan.items as { value: string; count: number }[];
    expect(Object.fromEntries(items.map((i) => [i.value, i.count]))).toEqual(countsOf(euRows.map((x) => x.plan)));
    const us = await get(
      v(`/summaries?columns=plan&from=${base}&to=${base + 3 * HOUR}&step=${HOUR}&segment=${seg({ region: 'us' })}`),
      c.keys.read,
    );
    expect(us.body.points.every((p: { suppressed: boolean; columns?: unknown }) => p.suppressed && p.columns === undefined)).toBe(true);
  });

  it('refuses bad requests with a clear error, and keeps projects apart', async () => {
    const range = `from=${base}&to=${base + HOUR}`;
    const missing = await get(v(`/summaries?${range}`), c.keys.read);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toContain('columns');
    const unknown = await get(v(`/summaries?${range}&columns=plan,nope`), c.keys.read);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('churn@1.0.0 has no column "nope"');
    expect((await get(v(`/summaries?${range}&columns=plan,,age`), c.keys.read)).status).toBe(400);
    const many = Array.from({ length: 17 }, (_, i) => `c${i}`).join(',');
    expect((await get(v(`/summaries?${range}&columns=${many}`), c.keys.read)).body.error).toBe('at most 16 columns per request');
    const steps = await get(v(`/summaries?from=${base}&to=${base + 3000 * MIN}&step=${MIN}&columns=plan`), c.keys.read);
    expect(steps.status).toBe(400);
    expect(steps.body.error).toBe('more than 2000 steps: widen "step"');
    expect((await get(v(`/summaries?${range}&columns=plan`), c.keys.ingest)).status).toBe(403);
    expect((await get(v(`/summaries?${range}&columns=plan`), undefined)).status).toBe(401);
    const other = (await createKey(c.collector.context.db, { project: 'beta', kind: 'read' })).key;
    const sealed = await get(v(`/summaries?${range}&columns=plan`), other);
    expect(sealed.status).toBe(404);
    expect(sealed.body).toEqual({ error: 'no model version churn@1.0.0', reason: 'not_found', permanent: false });
  });
});
