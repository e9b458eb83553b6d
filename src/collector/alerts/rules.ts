// Alert rules: a metric of a model version (or of one of its columns), a comparison, and for how
// many consecutive evaluations it must hold before the alert fires. Metrics:
//   drifted                 1 when the core's compare marks the column drifted, else 0
//   drift.<statistic>       psi, js, hellinger, wasserstein, ks_pvalue, chi2_pvalue, linf
//   missing_rate            the column's current missing rate (from compare: needs a baseline)
//   quality_flagged         1 when any of the column's data-quality checks fires (the core's
//                           compare: missing-rate change, NaN/Inf, out of range, zeros, new
//                           categories), else 0
//   quantile.0.5|0.9|0.99   a numeric column's quantile in the window (e.g. latency)
//   schema_changes          baseline columns the window lacks plus columns of another kind
//   freshness_seconds       time since the model version's last upload
//   devices                 distinct devices in the window
//   failure_rate            failed calls / calls in the window (health columns)
//   confidence.median       median of a classifier output's confidence (its top score)
//   performance.accuracy|ece|auc_min   from an output's feedback columns: accuracy, expected
//                           calibration error, the lowest one-vs-rest ROC AUC of its classes
//   slo.burn.<long>.<short>  an SLO's burn rate over both windows (the lower of the two); the
//                           rule's `column` names the SLO. Installed by the SLO (slo/slos.ts).
// Output metrics (confidence.*, performance.*) have one series per classifier output; their
// `column` filter names the output. A rule with `bySegment` is evaluated on each segment of k
// devices the snapshot holds (one series per segment) instead of on the whole model version.
// A rule observes one of the snapshot's rolling windows (`window`, e.g. "1h" or "24h": one of
// --eval-windows); freshness is the same in every window.
// When a series' window holds no upload at all (traffic stopped: not "fewer than k devices",
// which leaves alerts as they are), the rule's `noData` decides: resolve its open alerts
// (default), keep them as they are, or alert: its open alerts, or the version itself, go to the
// 'no_data' state, which opens an incident like firing does.
import { HEALTH } from 'edgewatch';
import type { Queryable } from '../storage/db.ts';
import { RequestError } from '../errors.ts';
import { SPAN_PATTERN } from '../eval-windows.ts';

export const RULE_METRICS = [
  'drifted',
  'drift.psi',
  'drift.js',
  'drift.hellinger',
  'drift.wasserstein',
  'drift.ks_pvalue',
  'drift.chi2_pvalue',
  'drift.linf',
  'missing_rate',
  'quality_flagged',
  'quantile.0.5',
  'quantile.0.9',
  'quantile.0.99',
  'schema_changes',
  'freshness_seconds',
  'devices',
  'failure_rate',
  'confidence.median',
  'performance.accuracy',
  'performance.ece',
  'performance.auc_min',
  'slo.burn.1h.5m',
  'slo.burn.6h.30m',
  'slo.burn.1d.2h',
  'slo.burn.3d.6h',
] as const;
export type RuleMetric = (typeof RULE_METRICS)[number];
export const VERSION_METRICS: readonly RuleMetric[] = ['freshness_seconds', 'devices', 'failure_rate', 'schema_changes'];
export const OUTPUT_METRICS: readonly RuleMetric[] = [
  'confidence.median',
  'performance.accuracy',
  'performance.ece',
  'performance.auc_min',
];

/** What saveRule stores for a rule without a window (the routes pass the collector's first). */
export const DEFAULT_WINDOW = '1h';

export interface AlertRule {
  id?: number;
  name: string;
  metric: RuleMetric;
  /** Filters; absent: every model / version / column. */
  model?: string | null;
  version?: string | null;
  column?: string | null;
  /** true: one series per segment (k devices or more), never the whole version. */
  bySegment?: boolean;
  /**
   * The rolling window observed, by name (one of --eval-windows). Absent when saving: the
   * collector's first window ("1h" by default); rules stored before windows existed have "1h".
   */
  window?: string;
  op: '>' | '>=' | '<' | '<=';
  threshold: number;
  /** Consecutive evaluations (windows) the condition must hold. */
  for: number;
  severity: 'page' | 'ticket';
  owner: string;
  webhookUrl?: string | null;
  webhookFormat?: 'json' | 'slack';
  /** What the rule's series do when their window holds no upload; absent: 'resolve'. */
  noData?: NoDataPolicy;
}

export const NO_DATA_POLICIES = ['resolve', 'keep', 'alert'] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

/**
 * The defaults: freshness, missing values and data quality go to the data owner, latency and errors to the
 * platform owner, drift, confidence and calibration to the model owner. Latency is the edge
 * runtime's `health.latency_ms` column; errors its `health.failure` column over its calls.
 * Thresholds and why: docs/collector.md, *Alerts*.
 */
export function defaultRules(owners: { data: string; platform: string; model: string }): AlertRule[] {
  return [
    { name: 'stale-data', metric: 'freshness_seconds', op: '>', threshold: 3600, for: 1, severity: 'ticket', owner: owners.data },
    { name: 'missing-values', metric: 'missing_rate', op: '>', threshold: 0.1, for: 3, severity: 'ticket', owner: owners.data },
    { name: 'data-quality', metric: 'quality_flagged', op: '>=', threshold: 1, for: 3, severity: 'ticket', owner: owners.data },
    { name: 'schema-change', metric: 'schema_changes', op: '>=', threshold: 1, for: 1, severity: 'ticket', owner: owners.data },
    {
      name: 'latency-p99',
      metric: 'quantile.0.99',
      column: HEALTH.latency,
      op: '>',
      threshold: 1000,
      for: 3,
      severity: 'page',
      owner: owners.platform,
    },
    { name: 'drift', metric: 'drifted', op: '>=', threshold: 1, for: 3, severity: 'ticket', owner: owners.model },
    { name: 'errors', metric: 'failure_rate', op: '>', threshold: 0.05, for: 3, severity: 'page', owner: owners.platform },
    { name: 'calibration', metric: 'performance.ece', op: '>', threshold: 0.1, for: 3, severity: 'ticket', owner: owners.model },
    { name: 'confidence-collapse', metric: 'confidence.median', op: '<', threshold: 0.5, for: 3, severity: 'ticket', owner: owners.model },
  ];
}

export const ruleSchema = {
  type: 'object',
  required: ['name', 'metric', 'op', 'threshold', 'for', 'severity', 'owner'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
    metric: { type: 'string', enum: [...RULE_METRICS] },
    model: { type: ['string', 'null'], maxLength: 128 },
    version: { type: ['string', 'null'], maxLength: 128 },
    column: { type: ['string', 'null'], maxLength: 256 },
    bySegment: { type: 'boolean' },
    window: { type: 'string', pattern: SPAN_PATTERN },
    op: { type: 'string', enum: ['>', '>=', '<', '<='] },
    threshold: { type: 'number' },
    for: { type: 'integer', minimum: 1, maximum: 1000 },
    severity: { type: 'string', enum: ['page', 'ticket'] },
    owner: { type: 'string', minLength: 1, maxLength: 128 },
    webhookUrl: { type: ['string', 'null'], pattern: '^https?://', maxLength: 2048 },
    webhookFormat: { type: 'string', enum: ['json', 'slack'] },
    noData: { type: 'string', enum: [...NO_DATA_POLICIES] },
  },
} as const;

export async function saveRule(db: Queryable, projectId: number, r: AlertRule): Promise<number> {
  if (VERSION_METRICS.includes(r.metric) && r.column) {
    throw new RequestError(400, 'request', `${r.metric} is a model-version metric: no column`);
  }
  const rows = await db.query<{ id: number }>(
    `insert into alert_rules (project_id, name, metric, model, version, column_name, op, threshold, for_windows,
                              severity, owner, webhook_url, webhook_format, created_at, by_segment, eval_window, no_data)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     on conflict (project_id, name) do update set metric = excluded.metric, model = excluded.model,
       version = excluded.version, column_name = excluded.column_name, by_segment = excluded.by_segment,
       eval_window = excluded.eval_window, op = excluded.op,
       threshold = excluded.threshold, for_windows = excluded.for_windows, severity = excluded.severity,
       owner = excluded.owner, webhook_url = excluded.webhook_url, webhook_format = excluded.webhook_format,
       no_data = excluded.no_data
     returning id`,
    [
      projectId,
      r.name,
      r.metric,
      r.model ?? null,
      r.version ?? null,
      r.column ?? null,
      r.op,
      r.threshold,
      r.for,
      r.severity,
      r.owner,
      r.webhookUrl ?? null,
      r.webhookFormat ?? 'json',
      Date.now(),
      r.bySegment ?? false,
      r.window ?? DEFAULT_WINDOW,
      r.noData ?? 'resolve',
    ],
  );
  return rows[0].id;
}

/** As listed: every filter read back (null when unset). */
export type StoredRule = AlertRule & {
  id: number;
  projectId: number;
  model: string | null;
  version: string | null;
  column: string | null;
  bySegment: boolean;
  window: string;
  noData: NoDataPolicy;
};

export async function listRules(db: Queryable, projectId?: number): Promise<StoredRule[]> {
  const rows = await db.query<Record<string, unknown>>(
    'select * from alert_rules where $1::bigint is null or project_id = $1 order by id',
    [projectId ?? null],
  );
  return rows.map((r) => ({
    id: r.id as number,
    projectId: r.project_id as number,
    name: r.name as string,
    metric: r.metric as RuleMetric,
    model: r.model as string | null,
    version: r.version as string | null,
    column: r.column_name as string | null,
    bySegment: r.by_segment as boolean,
    window: r.eval_window as string,
    op: r.op as AlertRule['op'],
    threshold: r.threshold as number,
    for: r.for_windows as number,
    severity: r.severity as AlertRule['severity'],
    owner: r.owner as string,
    webhookUrl: r.webhook_url as string | null,
    webhookFormat: r.webhook_format as 'json' | 'slack',
    noData: r.no_data as NoDataPolicy,
  }));
}

export async function deleteRule(db: Queryable, projectId: number, name: string): Promise<boolean> {
  return (await db.query('delete from alert_rules where project_id = $1 and name = $2 returning id', [projectId, name])).length > 0;
}
