// Service level objectives on a model's metrics: an indicator (the share of good events), an
// objective (e.g. 0.99) over a period (e.g. 30d), hence an error budget of 1 − objective. Saving
// an SLO installs its burn-rate alerts as ordinary alert rules (the Google SRE workbook's
// multiwindow, multi-burn-rate method), so they join incidents like any other:
//   page    burn over 1 h and over 5 min both above 14.4  (2 % of a 30-day budget in an hour)
//   page    burn over 6 h and over 30 min both above 6     (5 % in six hours)
//   ticket  burn over 1 d and over 2 h both above 3        (10 % in a day)
//   ticket  burn over 3 d and over 6 h both above 1        (10 % in three days)
// The short window makes the alert stop soon after the burn does.
import { RequestError } from '../errors.ts';
import { SPAN_PATTERN } from '../eval-windows.ts';
import type { Queryable } from '../storage/db.ts';
import { saveRule, type RuleMetric } from '../alerts/rules.ts';

export const INDICATORS = ['latency', 'failure_rate', 'accuracy', 'calibration', 'drift_free'] as const;
export type Indicator = (typeof INDICATORS)[number];

export interface Slo {
  name: string;
  model: string;
  /** Absent: every version of the model, each with its own budget. */
  version?: string | null;
  /**
   * latency: calls of `health.latency_ms` at or below `threshold` ms are good; failure_rate:
   * calls that did not fail; accuracy: labelled rows predicted right (every classifier output);
   * calibration: labelled rows less the core's ECE share of them (error ratio = ECE, so an
   * objective of 0.95 holds the ECE at 0.05 or below);
   * drift_free: steps of the window (of k devices) in which the core marks no column drifted
   * from the baseline.
   */
  indicator: Indicator;
  threshold?: number | null;
  objective: number;
  period: string;
  owner: string;
  webhookUrl?: string | null;
  webhookFormat?: 'json' | 'slack';
}

export type StoredSlo = Slo & { id: number; projectId: number; version: string | null };

/** The burn-rate alerts: [long window, short window, burn threshold, severity]. */
export const BURN_ALERTS = [
  ['1h', '5m', 14.4, 'page'],
  ['6h', '30m', 6, 'page'],
  ['1d', '2h', 3, 'ticket'],
  ['3d', '6h', 1, 'ticket'],
] as const;
export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

export const burnMetric = (long: string, short: string) => `slo.burn.${long}.${short}` as RuleMetric;
export const burnRuleName = (slo: string, long: string, short: string) => `${slo}.burn-${long}-${short}`;

export const sloSchema = {
  type: 'object',
  required: ['name', 'model', 'indicator', 'objective', 'owner'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$' },
    model: { type: 'string', minLength: 1, maxLength: 128 },
    version: { type: ['string', 'null'], maxLength: 128 },
    indicator: { type: 'string', enum: [...INDICATORS] },
    threshold: { type: ['number', 'null'], exclusiveMinimum: 0 },
    objective: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    period: { type: 'string', pattern: SPAN_PATTERN },
    owner: { type: 'string', minLength: 1, maxLength: 128 },
    webhookUrl: { type: ['string', 'null'], pattern: '^https?://', maxLength: 2048 },
    webhookFormat: { type: 'string', enum: ['json', 'slack'] },
  },
} as const;

/** Saves the SLO; its rules observe `window`, the state SLO figures ride on (the first eval window). */
export async function saveSlo(db: Queryable, projectId: number, s: Slo, window: string, now: number): Promise<void> {
  if (s.indicator === 'latency' && !(s.threshold && s.threshold > 0))
    throw new RequestError(400, 'request', 'a latency SLO needs a threshold in ms');
  if (s.indicator !== 'latency' && s.threshold != null) throw new RequestError(400, 'request', `a ${s.indicator} SLO takes no threshold`);
  await db.query(
    `insert into slos (project_id, name, model, version, indicator, threshold, objective, period, owner, webhook_url, webhook_format, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (project_id, name) do update set model = excluded.model, version = excluded.version, indicator = excluded.indicator,
       threshold = excluded.threshold, objective = excluded.objective, period = excluded.period, owner = excluded.owner,
       webhook_url = excluded.webhook_url, webhook_format = excluded.webhook_format`,
    [
      projectId,
      s.name,
      s.model,
      s.version ?? null,
      s.indicator,
      s.threshold ?? null,
      s.objective,
      s.period ?? '30d',
      s.owner,
      s.webhookUrl ?? null,
      s.webhookFormat ?? 'json',
      now,
    ],
  );
  for (const [long, short, burn, severity] of BURN_ALERTS) {
    await saveRule(db, projectId, {
      name: burnRuleName(s.name, long, short),
      metric: burnMetric(long, short),
      model: s.model,
      version: s.version ?? null,
      column: s.name,
      op: '>',
      threshold: burn,
      for: 1,
      severity,
      owner: s.owner,
      webhookUrl: s.webhookUrl ?? null,
      webhookFormat: s.webhookFormat ?? 'json',
      // Burn rates are measured over their own windows; no upload at all burns no budget.
      noData: 'resolve',
      window,
    });
  }
}

export async function listSlos(db: Queryable, projectId?: number): Promise<StoredSlo[]> {
  const rows = await db.query<Record<string, unknown>>('select * from slos where $1::bigint is null or project_id = $1 order by id', [
    projectId ?? null,
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    projectId: Number(r.project_id),
    name: r.name as string,
    model: r.model as string,
    version: r.version as string | null,
    indicator: r.indicator as Indicator,
    threshold: r.threshold as number | null,
    objective: r.objective as number,
    period: r.period as string,
    owner: r.owner as string,
    webhookUrl: r.webhook_url as string | null,
    webhookFormat: r.webhook_format as 'json' | 'slack',
  }));
}

/** Deletes the SLO and its burn-rate rules (their alerts go with them). */
export async function deleteSlo(db: Queryable, projectId: number, name: string): Promise<boolean> {
  const gone = await db.query('delete from slos where project_id = $1 and name = $2 returning id', [projectId, name]);
  if (gone.length === 0) return false;
  for (const [long, short] of BURN_ALERTS) {
    await db.query('delete from alert_rules where project_id = $1 and name = $2', [projectId, burnRuleName(name, long, short)]);
  }
  return true;
}
