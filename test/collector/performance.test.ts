// GET …/performance: accuracy, precision/recall, ROC AUC and calibration from the feedback
// columns devices upload, against the same statistics computed from the raw labelled rows the test
// generates; k-anonymity; error bars on private-mode aggregates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import { CLASSES, expectedPerformance as expected, feedbackProfile, labelledRows, OUT, type Labelled } from './helpers/feedback.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

const variance = (b: number) => {
  const q = Math.exp(-1 / b);
  return (2 * q) / (1 - q) ** 2;
};

describe.each(BACKENDS)('performance API on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const base = now - (now % HOUR) - 3 * HOUR;
  const url = (from: number, to: number) => `${c.url}/v1/models/zoo/versions/2/performance?from=${from}&to=${to}`;

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend);
  });
  afterAll(() => c?.stop());

  async function upload(t: number, device: string, id: string, rows: Labelled[], noiseScale?: number) {
    const p = feedbackProfile(core, rows);
    if (noiseScale) p.addNoise(noiseScale);
    p.meta = {
      model: 'zoo',
      modelVersion: '2',
      windowStart: String(t),
      windowEnd: String(t + MIN),
      deviceId: device,
      uploadId: id,
      ...(noiseScale ? { privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale }) } : {}),
    };
    const bytes = p.toBytes();
    p.dispose();
    const res = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  it('equals accuracy, precision/recall, binned ROC AUC and ECE of the raw labelled rows', async () => {
    const all: Labelled[] = [];
    for (let d = 0; d < 6; d++) {
      const rows = labelledRows(100 + d, 90);
      all.push(...rows);
      await upload(base + d * MIN, `device-perf-${d}`, `upload-perf-${d}`, rows);
    }
    const res = await get(url(base, base + HOUR), c.keys.read);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ suppressed: false, devices: 6, uploads: 6 });
    expect(res.body.cellError).toBeUndefined();
    const o = res.body.outputs[OUT];
    const e = expected(all);
    expect(o.labelled).toBe(all.length);
    expect(o.accuracy).toBeCloseTo(e.accuracy, 12);
    expect(o.confusion.classes).toEqual(CLASSES);
    for (const cls of CLASSES) {
      const got = o.classes[cls];
      const want = e.classes[cls];
      expect(got.support).toBe(want.support);
      expect(got.predicted).toBe(want.predicted);
      expect(got.precision).toBeCloseTo(want.precision, 12);
      expect(got.recall).toBeCloseTo(want.recall, 12);
      expect(got.auc).toBeCloseTo(want.auc, 12);
    }
    expect(o.calibration.total).toBe(all.length);
    expect(o.calibration.ece).toBeCloseTo(e.ece, 12);
    expect(o.calibration.bins.map((b: { count: number }) => b.count)).toEqual(e.n);
    expect(o.calibration.bins.map((b: { correct: number }) => b.correct)).toEqual(e.k);
    expect(o.labelledError).toBeUndefined();
    expect(o.classError).toBeUndefined();
  });

  it('suppresses a range of fewer than k devices, and needs a read key', async () => {
    const t = base + HOUR;
    for (let d = 0; d < 4; d++) await upload(t + d * MIN, `device-few-${d}`, `upload-few-${d}`, labelledRows(200 + d, 20));
    const res = await get(url(t, t + HOUR), c.keys.read);
    expect(res.body).toEqual({ from: t, to: t + HOUR, k: 5, suppressed: true }); // below k: no counts either
    expect((await get(url(t, t + HOUR), c.keys.ingest)).status).toBe(403);
  });

  it('private-mode uploads carry error bars from their noise scales', async () => {
    const t = base + 2 * HOUR;
    const all: Labelled[] = [];
    const scales = [1, 1, 1, 2, 2, 2];
    for (let d = 0; d < 6; d++) {
      const rows = labelledRows(300 + d, 100);
      all.push(...rows);
      await upload(t + d * MIN, `device-priv-${d}`, `upload-priv-${d}`, rows, scales[d]);
    }
    const res = await get(url(t, t + HOUR), c.keys.read);
    expect(res.body.suppressed).toBe(false);
    const cell = Math.sqrt(3 * variance(1) + 3 * variance(2));
    expect(res.body.cellError.sd).toBeCloseTo(cell, 10);
    expect(res.body.cellError.halfWidth95).toBeCloseTo(1.96 * cell, 10);
    const o = res.body.outputs[OUT];
    // The total of 9 noisy confusion cells: 9 draws per upload.
    expect(o.labelledError.sd).toBeCloseTo(3 * cell, 10);
    // A class's support or predicted count sums its 3 cells.
    expect(o.classError.sd).toBeCloseTo(Math.sqrt(3) * cell, 10);
    expect(o.classError.halfWidth95).toBeCloseTo(1.96 * Math.sqrt(3) * cell, 10);
    expect(Math.abs(o.labelled - all.length)).toBeLessThan(5 * o.labelledError.sd);
    for (const cls of CLASSES) expect(o.classes[cls].auc).toBeGreaterThan(0.5);
    const profile = await get(`${c.url}/v1/models/zoo/versions/2/profile?from=${t}&to=${t + HOUR}`, c.keys.read);
    expect(profile.body.privacy.cellError.sd).toBeCloseTo(cell, 10);
  });
});
