// The fleet's status of a model version, decided from what the collector reports:
//   failing   the edge runtime recorded inference failures (health.failure) in the range, or a
//             page-severity alert is firing for the version
//   stale     the last upload is older than the freshness rule's threshold (default 1 h)
//   drifting  the core marked at least one column drifted over the range, or a drift alert fires
//   healthy   none of these
//   unknown   fewer than k devices: the collector shows nothing, so neither do we
import { HEALTH, OTHER } from 'edgewatch/columns';
import type { Alert, AlertRule, DriftPoint, ModelVersion, ProfileResponse } from 'edgewatch/read-api';

export type Status = 'failing' | 'stale' | 'drifting' | 'healthy' | 'unknown';

export const DEFAULT_STALE_SECONDS = 3600;

export interface StatusInputs {
  version: ModelVersion;
  profile?: ProfileResponse;
  drift?: DriftPoint;
  alerts: Alert[];
  rules: AlertRule[];
  now: number;
}

export interface StatusVerdict {
  status: Status;
  /** Why, in words, for the table and screen readers. */
  reasons: string[];
}

export function alertsOf(alerts: Alert[], model: string, version: string): Alert[] {
  return alerts.filter((a) => a.evidence?.model === model && a.evidence?.version === version);
}

/** An alert on drift: the core's verdict (`drifted`) or one of its statistics (`drift.*`). */
export function isDriftAlert(a: Alert): boolean {
  return a.evidence?.statistic === 'drifted' || String(a.evidence?.statistic ?? '').startsWith('drift.');
}

/** Seconds after which a version counts as stale: its freshness rule's threshold, if any. */
export function staleAfterSeconds(rules: AlertRule[], model: string, version: string): number {
  const r = rules.find((r) => r.metric === 'freshness_seconds' && (!r.model || r.model === model) && (!r.version || r.version === version));
  return r ? r.threshold : DEFAULT_STALE_SECONDS;
}

/** Failure kinds the edge runtime counted, with their counts as reported. */
export function failuresOf(profile?: ProfileResponse): { value: string; count: number }[] {
  const col = profile?.columns?.[HEALTH.failure];
  if (!col || col.kind !== 'categorical') return [];
  return col.items.filter((i) => i.count > 0 && i.value !== OTHER);
}

export function statusOf(i: StatusInputs): StatusVerdict {
  const { version: v } = i;
  if (v.devices === null) return { status: 'unknown', reasons: ['fewer than k devices: nothing is shown'] };
  const firing = alertsOf(i.alerts, v.model, v.version).filter((a) => a.state === 'firing');
  const reasons: string[] = [];
  const failures = failuresOf(i.profile);
  const pages = firing.filter((a) => a.severity === 'page');
  if (failures.length) reasons.push(`inference failures: ${failures.map((f) => f.value).join(', ')}`);
  if (pages.length) reasons.push(`page alert firing: ${pages.map((a) => a.rule).join(', ')}`);
  if (reasons.length) return { status: 'failing', reasons };

  const staleAfter = staleAfterSeconds(i.rules, v.model, v.version);
  if (v.lastUploadAt !== null && i.now - v.lastUploadAt > staleAfter * 1000) {
    return { status: 'stale', reasons: [`no upload for more than ${staleAfter} s`] };
  }
  const driftAlerts = firing.filter(isDriftAlert);
  if (i.drift && !i.drift.suppressed && (i.drift.driftedColumns ?? 0) > 0) {
    reasons.push(`${i.drift.driftedColumns} of ${i.drift.comparedColumns} columns drifted`);
  }
  if (driftAlerts.length) reasons.push(`drift alert firing: ${[...new Set(driftAlerts.map((a) => a.rule))].join(', ')}`);
  if (reasons.length) return { status: 'drifting', reasons };
  return {
    status: 'healthy',
    reasons: [v.baseline ? 'no drift, no failures, fresh' : 'fresh, no failures (no baseline: drift not checked)'],
  };
}
