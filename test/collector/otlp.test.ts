// OTLP push: the merged histogram of an interval arrives as an OpenTelemetry
// ExponentialHistogram whose buckets are the raw values' buckets under OpenTelemetry's own
// definition (bucket i holds (2^(i/2^scale), 2^((i+1)/2^scale)]); aggregates below k are absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { post, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, type Row } from './helpers/payloads.ts';
import { webhookReceiver } from './helpers/webhook.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('OTLP export (PGlite)', () => {
  let core: Core;
  let c: Running;
  let sink: Awaited<ReturnType<typeof webhookReceiver>>;
  const now = Date.now();
  const base = now - (now % HOUR) - 2 * HOUR;
  const rows: Row[] = [];

  beforeAll(async () => {
    core = await sharedCore();
    sink = await webhookReceiver();
    // No background pushes: the test pushes one interval itself.
    c = await startCollector(BACKENDS[0], { otlpUrl: sink.url, otlpIntervalMs: 0, alertIntervalMs: 0 });
    const send = async (model: string, d: number, r: Row[]) => {
      const bytes = makePayload(core, {
        model,
        deviceId: `device-${model}-${d}`,
        uploadId: `upload-${model}-${d}`,
        windowStart: base + d * MIN,
        rows: r,
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    };
    for (let d = 0; d < 6; d++) {
      const r = makeRows(d, 200);
      rows.push(...r);
      await send('churn', d, r);
    }
    for (let d = 0; d < 3; d++) await send('tiny', d, makeRows(d, 50));
  });
  afterAll(async () => {
    await c?.stop();
    await sink?.close();
  });

  it('pushes exponential histograms equal to the raw values bucketed by the OpenTelemetry rule', async () => {
    await c.collector.pushOtlp(base, base + HOUR);
    expect(sink.received).toHaveLength(1);
    const metrics = sink.received[0].body.resourceMetrics[0].scopeMetrics[0].metrics;
    expect(metrics).toHaveLength(1);
    const { aggregationTemporality, dataPoints } = metrics[0].exponentialHistogram;
    expect(aggregationTemporality).toBe(1);
    const attrs = (p: any) => Object.fromEntries(p.attributes.map((a: any) => [a.key, a.value.stringValue]));
    expect(dataPoints.map((p: any) => attrs(p)['edgewatch.model'])).toEqual(['churn', 'churn']); // no "tiny": 3 devices < k
    const age = dataPoints.find((p: any) => attrs(p)['edgewatch.column'] === 'age');
    const ages = rows.map((r) => r.age).filter((a): a is number => a !== null);
    expect(age.startTimeUnixNano).toBe(`${BigInt(base) * 1_000_000n}`);
    expect(Number(age.count)).toBe(ages.length);
    expect(age.min).toBe(Math.min(...ages));
    expect(age.max).toBe(Math.max(...ages));
    expect(age.sum).toBeCloseTo(
      ages.reduce((a, b) => a + b, 0),
      6,
    );
    // Independent bucketing: every age is a positive integer here.
    expect(ages.every((a) => a > 0)).toBe(true);
    const truth = new Map<number, number>();
    for (const a of ages) {
      const i = Math.ceil(Math.log2(a) * 2 ** age.scale) - 1;
      truth.set(i, (truth.get(i) ?? 0) + 1);
    }
    const got = new Map<number, number>();
    age.positive.bucketCounts.forEach((n: string, j: number) => Number(n) > 0 && got.set(age.positive.offset + j, Number(n)));
    expect(got).toEqual(truth);
    expect(age.zeroCount).toBe('0');
  });

  it('sends a centred column as explicit buckets of x itself, each count exact', async () => {
    const columns = [{ name: 't', kind: 'numeric' as const, center: 273 }];
    const temps: number[] = [];
    for (let d = 0; d < 6; d++) {
      const r = Array.from({ length: 200 }, (_, i) => ({ t: 273 + Math.sin(d * 1000 + i) * 10 }));
      temps.push(...r.map((x) => x.t));
      const bytes = makePayload(core, {
        model: 'kelvin',
        deviceId: `device-kelvin-${d}`,
        uploadId: `upload-kelvin-${d}`,
        windowStart: base + HOUR + d * MIN,
        rows: r as unknown as Row[],
        columns,
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    }
    await c.collector.pushOtlp(base + HOUR, base + 2 * HOUR);
    type Point = {
      attributes: { key: string; value: { stringValue?: string } }[];
      explicitBounds: number[];
      bucketCounts: string[];
      count: string;
      min: number;
    };
    const metrics: { name: string; histogram?: { dataPoints: Point[] } }[] =
      sink.received.at(-1)!.body.resourceMetrics[0].scopeMetrics[0].metrics;
    const points = metrics.find((m) => m.name === 'edgewatch.column.grid')!.histogram!.dataPoints;
    const point = points.find((p) => p.attributes.some((a) => a.value.stringValue === 'kelvin'))!;
    const attrs = Object.fromEntries(point.attributes.map((a) => [a.key, a.value.stringValue]));
    expect(attrs).toMatchObject({ 'edgewatch.model': 'kelvin', 'edgewatch.column': 't' });
    // Bounds are values of t (near 273, not deviations near 0), and every bucket (b_{k−1}, b_k]
    // holds exactly the raw temperatures in it.
    const bounds: number[] = point.explicitBounds;
    expect(Math.min(...bounds)).toBeGreaterThan(262);
    expect(Math.max(...bounds)).toBeLessThanOrEqual(Math.max(...temps));
    const counts = point.bucketCounts.map(Number);
    expect(counts).toHaveLength(bounds.length + 1);
    const truth = counts.map(
      (_: number, k: number) => temps.filter((t) => (k === 0 || t > bounds[k - 1]) && (k === bounds.length || t <= bounds[k])).length,
    );
    expect(counts).toEqual(truth);
    expect(Number(point.count)).toBe(temps.length);
    expect(point.min).toBe(Math.min(...temps));
  });
});
