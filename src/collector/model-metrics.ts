// Per-model Prometheus metrics, computed at scrape time from the rolling-window snapshot (cached
// briefly: several gauges read one snapshot, and scrapes may come from several Prometheus).
// Ratios such as the missing rate are left to PromQL: the collector exports counts.
import { Gauge, type Registry } from 'prom-client';
import type { VersionState } from './read/snapshot.ts';
import type { Queryable } from './storage/db.ts';

const V = ['project', 'model', 'version'];
const C = [...V, 'column'];

export function registerModelMetrics(registry: Registry, read: () => Promise<VersionState[]>) {
  const gauges = {
    devices: new Gauge({ name: 'edgewatch_model_devices', help: 'Distinct devices reporting in the evaluation window (k-anonymous).', labelNames: V, registers: [registry] }),
    rows: new Gauge({ name: 'edgewatch_model_rows', help: 'Rows recorded in the evaluation window.', labelNames: V, registers: [registry] }),
    uploads: new Gauge({ name: 'edgewatch_model_uploads', help: 'Uploads in the evaluation window.', labelNames: V, registers: [registry] }),
    freshness: new Gauge({ name: 'edgewatch_model_freshness_seconds', help: 'Seconds since the last upload of the model version.', labelNames: V, registers: [registry] }),
    values: new Gauge({ name: 'edgewatch_column_values', help: 'Column cells in the evaluation window, by state (count includes missing).', labelNames: [...C, 'state'], registers: [registry] }),
    quantile: new Gauge({ name: 'edgewatch_column_quantile', help: 'Quantiles of a numeric column in the evaluation window (latency included).', labelNames: [...C, 'quantile'], registers: [registry] }),
    drift: new Gauge({ name: 'edgewatch_column_drift', help: 'Drift statistics against the baseline (the core compare).', labelNames: [...C, 'statistic'], registers: [registry] }),
    drifted: new Gauge({ name: 'edgewatch_column_drifted', help: '1 when the core marks the column drifted.', labelNames: C, registers: [registry] }),
  };
  let filling: Promise<void> | undefined;
  // prom-client calls collect() per gauge; one snapshot fills all of them.
  const fill = () =>
    (filling ??= (async () => {
      try {
        for (const g of Object.values(gauges)) g.reset();
        for (const s of await read()) setAll(gauges, s);
      } finally {
        setTimeout(() => (filling = undefined), 0);
      }
    })());
  for (const g of Object.values(gauges)) (g as unknown as { collect: () => Promise<void> }).collect = fill;
}

function setAll(g: Record<string, Gauge>, s: VersionState) {
  const v = { project: s.project, model: s.model, version: s.version };
  if (s.freshnessSeconds !== null) g.freshness.set(v, s.freshnessSeconds);
  if (!s.visible) return;
  g.devices.set(v, s.devices!);
  g.rows.set(v, s.rows!);
  g.uploads.set(v, s.uploads!);
  for (const [column, c] of Object.entries(s.columns ?? {})) {
    const l = { ...v, column };
    g.values.set({ ...l, state: 'count' }, c.count);
    g.values.set({ ...l, state: 'missing' }, c.missing);
    g.values.set({ ...l, state: 'nan' }, c.nan);
    for (const [quantile, value] of Object.entries(c.quantiles ?? {})) if (Number.isFinite(value)) g.quantile.set({ ...l, quantile }, value);
  }
  for (const [column, d] of Object.entries(s.drift ?? {})) {
    const l = { ...v, column };
    const stats: Record<string, number> =
      d.kind === 'numeric'
        ? { ks_statistic: d.ks.statistic, ks_pvalue: d.ks.pvalue, wasserstein: d.wasserstein, psi: d.psi, js: d.js, hellinger: d.hellinger }
        : { chi2_statistic: d.chi2.statistic, chi2_pvalue: d.chi2.pvalue, linf: d.linf, js: d.js, psi: d.psi };
    stats[`verdict_${d.drifted.test}`] = d.drifted.value;
    for (const [statistic, value] of Object.entries(stats)) if (Number.isFinite(value)) g.drift.set({ ...l, statistic }, value);
    g.drifted.set(l, d.drifted.drifted ? 1 : 0);
  }
}

/** edgewatch_alerts_firing{project, severity, owner}: read from the alerts table at scrape time. */
export function registerAlertMetrics(registry: Registry, db: Queryable) {
  const firing = new Gauge({
    name: 'edgewatch_alerts_firing',
    help: 'Alerts firing now, by project, severity and owner.',
    labelNames: ['project', 'severity', 'owner'],
    registers: [registry],
    async collect() {
      const rows = await db.query<{ project: string; severity: string; owner: string; n: number }>(
        `select p.name as project, r.severity, r.owner, count(*) as n from alerts a
         join alert_rules r on r.id = a.rule_id join projects p on p.id = r.project_id
         where a.state = 'firing' group by p.name, r.severity, r.owner`,
      );
      this.reset();
      for (const r of rows) this.set({ project: r.project, severity: r.severity, owner: r.owner }, r.n);
    },
  });
  return firing;
}
