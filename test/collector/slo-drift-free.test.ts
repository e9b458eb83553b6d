// A drift-free SLO on both back-ends: its events are the window's steps of k devices, good when
// no column drifted — each step's verdict computed here by the core on that step's raw rows —
// and its burn rate follows from them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptions, driftOptions } from '../../src/collector/config.ts';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { DRIFT_STEPS } from '../../src/collector/slo/status.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const K = 5;

describe.each(BACKENDS)('drift-free SLO on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const baselineRows = makeRows(100, 3000);
  const uploads: { start: number; devices: number; rows: Row[] }[] = [];

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend);
    const b = profileOfRows(core, baselineRows);
    await putBaseline(c, b);
    b.dispose();
    // Twelve five-minute steps of the last hour: steps 3–5 shifted, steps 10–11 from three devices.
    for (let i = 0; i < 12; i++) {
      const start = now - 60 * MIN + i * 5 * MIN + MIN;
      const devices = i >= 10 ? 3 : 6;
      const rows: Row[] = [];
      for (let d = 0; d < devices; d++) {
        const r = makeRows(i * 10 + d, 120, i >= 3 && i <= 5 ? 20 : 0);
        rows.push(...r);
        const bytes = makePayload(core, { deviceId: `device-${d}`, uploadId: `upload-${i}-${d}`, windowStart: start, rows: r });
        expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
      }
      uploads.push({ start, devices, rows });
    }
    const res = await fetch(`${c.url}/v1/slos/steady`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'steady', model: 'churn', indicator: 'drift_free', objective: 0.95, owner: 'ml-team' }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await c?.stop();
  });

  /** The truth of a window: its steps of k devices, and those the core finds no drift in. */
  function truth(ms: number, at: number) {
    const step = Math.max(5 * MIN, Math.ceil(ms / DRIFT_STEPS / MIN) * MIN);
    let good = 0;
    let total = 0;
    for (let from = at - ms; from < at; from += step) {
      const inStep = uploads.filter((u) => u.start >= from && u.start < Math.min(from + step, at));
      if (inStep.length === 0 || Math.max(...inStep.map((u) => u.devices)) < K) continue;
      const b = profileOfRows(core, baselineRows);
      const p = profileOfRows(
        core,
        inStep.flatMap((u) => u.rows),
      );
      const drifted = Object.values(core.compare(b, p, driftOptions(defaultOptions())).columns).some((d) => d.drifted.drifted);
      b.dispose();
      p.dispose();
      total++;
      if (!drifted) good++;
    }
    return total ? { good, total } : null;
  }

  it('counts the drift-free steps of each window as the core finds them on the raw rows', async () => {
    const before = Date.now();
    const { slos } = (await get(`${c.url}/v1/slos`, c.keys.read)).body;
    const st = slos[0].versions[0];
    // The route cuts its steps from its own clock, a few ms after `before`: the uploads sit a
    // minute inside their steps, so that moves none of them across a boundary.
    const at = before;
    for (const [w, ms] of [
      ['30m', 30 * MIN],
      ['1h', 60 * MIN],
      ['6h', 360 * MIN],
    ] as const) {
      const t = truth(ms, at);
      expect(st.windows[w] && { good: st.windows[w].good, total: st.windows[w].total }, w).toEqual(t);
    }
    expect(st.windows['1h']).toMatchObject({ good: 7, total: 10 });
    expect(st.windows['1h'].burnRate).toBeCloseTo(3 / 10 / 0.05, 9);
    expect(st.windows['5m']).toBeNull(); // its one step has three devices
  });
});
