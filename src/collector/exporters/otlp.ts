// Optional OTLP/HTTP (JSON) push of the merged sketches, so they land in any OpenTelemetry
// backend: numeric columns as ExponentialHistograms (the core's bucket layout is OpenTelemetry's:
// same scale, offset and counts), fixed grids and centred numeric columns (whose buckets hold
// x − center) as explicit-bucket Histograms of x. Each push covers one
// closed interval [from, to) of window starts with DELTA temporality; uploads arriving after
// their interval was pushed reach the JSON API and /metrics, not OTLP. Aggregates below k
// devices are not exported.
import type { NumericSummary } from 'edgewatch';
import type { Core } from '../core.ts';
import { aggregate } from '../read/aggregate.ts';
import type { Queryable } from '../storage/db.ts';

const DELTA = 1; // AGGREGATION_TEMPORALITY_DELTA
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

export async function otlpPayload(db: Queryable, core: Core, k: number, from: number, to: number) {
  const versions = await db.query<{ project_id: number; name: string; model: string; version: string }>(
    `select distinct u.project_id, p.name, u.model, u.version from uploads u join projects p on p.id = u.project_id
     where u.window_start >= $1 and u.window_start < $2 order by p.name, u.model, u.version`,
    [from, to],
  );
  const expo: unknown[] = [];
  const explicit: unknown[] = [];
  for (const v of versions) {
    const agg = await aggregate(db, core, k, { projectId: v.project_id, model: v.model, version: v.version, from, to });
    if (agg.suppressed) continue;
    try {
      for (const { name, kind } of agg.profile.columns) {
        if (kind === 'categorical') continue;
        const s = agg.profile.summary(name) as NumericSummary;
        const attributes = [
          attr('edgewatch.project', v.name),
          attr('edgewatch.model', v.model),
          attr('edgewatch.version', v.version),
          attr('edgewatch.column', name),
        ];
        const common = {
          attributes,
          startTimeUnixNano: nanos(from),
          timeUnixNano: nanos(to),
          count: String(s.finite),
          sum: s.sum,
          ...(s.finite > 0 ? { min: s.min, max: s.max } : {}),
        };
        const centred = kind === 'numeric' && s.center !== undefined && s.center !== 0 && Number.isFinite(s.center);
        if (centred) {
          // A centred column's exponential buckets hold x − center, which a dashboard would show
          // as x: its cells go as explicit buckets of x itself instead (exact, see core.md).
          const { bounds, counts } = agg.profile.buckets(name);
          explicit.push({ ...common, explicitBounds: bounds, bucketCounts: counts.map(String) });
        } else if (kind === 'numeric') {
          expo.push({
            ...common,
            scale: s.scale,
            zeroCount: String(s.zeroCount ?? 0),
            positive: { offset: s.positive?.offset ?? 0, bucketCounts: (s.positive?.counts ?? []).map(String) },
            negative: { offset: s.negative?.offset ?? 0, bucketCounts: (s.negative?.counts ?? []).map(String) },
          });
        } else {
          // Grid cells are right-closed like OpenTelemetry's explicit buckets; noisy counts may
          // be fractional or negative, so they are rounded and floored at zero for the wire.
          explicit.push({
            ...common,
            explicitBounds: s.edges,
            bucketCounts: (s.counts ?? []).map((n) => String(Math.max(0, Math.round(n)))),
          });
        }
      }
    } finally {
      agg.profile.dispose();
    }
  }
  const metrics = [];
  if (expo.length)
    metrics.push({ name: 'edgewatch.column', unit: '1', exponentialHistogram: { aggregationTemporality: DELTA, dataPoints: expo } });
  if (explicit.length)
    metrics.push({ name: 'edgewatch.column.grid', unit: '1', histogram: { aggregationTemporality: DELTA, dataPoints: explicit } });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr('service.name', 'edgewatch-collector')] },
        scopeMetrics: [{ scope: { name: 'edgewatch' }, metrics }],
      },
    ],
  };
}

/** Pushes one interval; throws on a non-2xx answer so the caller can log it. */
export async function pushOtlp(url: string, payload: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`OTLP push to ${url}: HTTP ${res.status}`);
}
