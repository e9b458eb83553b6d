// What the collector makes of the traffic, read back through its JSON API with the read key:
// drift of the last rolling window (the one the alert rules evaluate) and the open alerts.
import type { AlertsResponse, CanaryReport, DriftResponse } from '../../src/core/read-api.ts';
import type { DemoConfig } from './config.ts';

export interface ColumnVerdict {
  column: string;
  drifted: boolean;
  test: string;
  value: number | null;
  threshold: number;
}

export interface CollectorView {
  from: number;
  to: number;
  suppressed: boolean;
  devices: number;
  rows: number;
  driftedColumns: number;
  comparedColumns: number;
  columns: ColumnVerdict[];
  alerts: { rule: string; series: string; state: string; severity: string; link: string | null }[];
}

async function get<T>(config: DemoConfig, path: string): Promise<T> {
  const res = await fetch(`${config.collector}${path}`, { headers: { authorization: `Bearer ${config.readKey}` } });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(`${path.split('?')[0]}: HTTP ${res.status} ${body.error ?? ''}`);
  return body;
}

export async function readCollector(config: DemoConfig, now = Date.now()): Promise<CollectorView> {
  const from = now - config.evalWindowMs;
  const { id, version } = config.model;
  const path = `/v1/models/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`;
  // One step spanning the whole range (the API's steps are at least a minute long).
  const [drift, alerts] = await Promise.all([
    get<DriftResponse>(config, `${path}/drift?from=${from}&to=${now}&step=60000`),
    get<AlertsResponse>(config, '/v1/alerts'),
  ]);
  const p = drift.points[0];
  const columns = Object.entries(p?.columns ?? {})
    // Columns the baseline has values for: the model's inputs and outputs (health and feedback
    // columns exist only on devices).
    .filter(([, c]) => c.count[0] > 0 && c.drifted.value !== null)
    .map(([column, c]) => ({ column, ...c.drifted }))
    .sort((a, b) => Number(b.drifted) - Number(a.drifted) || (b.value ?? 0) / b.threshold - (a.value ?? 0) / a.threshold);
  return {
    from,
    to: now,
    suppressed: p?.suppressed ?? true,
    devices: p?.devices ?? 0,
    rows: p?.rows ?? 0,
    driftedColumns: p?.driftedColumns ?? 0,
    comparedColumns: p?.comparedColumns ?? 0,
    columns,
    alerts: alerts.alerts.map((a) => ({
      rule: a.rule,
      series: a.series,
      state: a.state,
      severity: a.severity,
      link: a.evidence.link ?? null,
    })),
  };
}

/** The canary version compared with its rollback target over the last rolling window. */
export async function readCanary(config: DemoConfig, now = Date.now()): Promise<{ against: string; verdict: string; reasons: string[] }> {
  const path = `/v1/models/${encodeURIComponent(config.model.id)}/versions/${encodeURIComponent(config.canary.version)}/canary`;
  const r = await get<CanaryReport>(config, `${path}?from=${now - config.evalWindowMs}&to=${now}`);
  return { against: r.stable.version, verdict: r.verdict, reasons: r.reasons };
}
