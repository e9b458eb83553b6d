// What a rule observes in a snapshot: one value per series (model version, or model version and
// column), with the evidence an alert carries. Series below k devices are not observed at all.
import type { VersionState } from '../read/snapshot.ts';
import type { StoredRule } from './rules.ts';

export interface Observation {
  series: string;
  value: number;
  evidence: Record<string, unknown>;
}

export function observe(rule: StoredRule, states: VersionState[], publicUrl?: string): Observation[] {
  const out: Observation[] = [];
  for (const s of states) {
    if (s.projectId !== rule.projectId) continue;
    if (rule.model && rule.model !== s.model) continue;
    if (rule.version && rule.version !== s.version) continue;
    const base = {
      project: s.project,
      model: s.model,
      version: s.version,
      segment: null,
      window: { from: s.from, to: s.to },
      link: publicUrl ? `${publicUrl.replace(/\/$/, '')}/#/models/${encodeURIComponent(s.model)}/versions/${encodeURIComponent(s.version)}` : null,
    };
    if (rule.metric === 'freshness_seconds' || rule.metric === 'devices') {
      const value = rule.metric === 'devices' ? (s.visible ? s.devices : undefined) : s.freshnessSeconds;
      if (value === undefined || value === null) continue;
      out.push({ series: `${s.model}|${s.version}`, value, evidence: { ...base, column: null, statistic: rule.metric, value } });
      continue;
    }
    if (!s.visible) continue;
    const columns = rule.column ? [rule.column] : Object.keys(s.columns ?? {});
    for (const column of columns) {
      const v = columnValue(rule, s, column);
      if (v === undefined || !Number.isFinite(v.value)) continue;
      out.push({
        series: `${s.model}|${s.version}|${column}`,
        value: v.value,
        evidence: { ...base, link: columnLink(base.link, column, s.from, s.to), column, statistic: rule.metric, value: v.value, ...v.extra },
      });
    }
  }
  return out;
}

/** The dashboard's column view at the alert's window: what an on-call engineer opens first. */
function columnLink(modelLink: string | null, column: string, from: number, to: number): string | null {
  return modelLink ? `${modelLink}/columns/${encodeURIComponent(column)}?from=${from}&to=${to}` : null;
}

function columnValue(rule: StoredRule, s: VersionState, column: string): { value: number; extra: Record<string, unknown> } | undefined {
  const d = s.drift?.[column];
  const c = s.columns?.[column];
  // Baseline vs current quantiles, when the core's compare has them.
  const extra: Record<string, unknown> = d?.kind === 'numeric' ? { quantiles: d.quantiles, test: d.drifted.test } : d ? { test: d.drifted.test } : {};
  if (rule.metric.startsWith('quantile.')) {
    const q = c?.quantiles?.[rule.metric.slice(9) as '0.5' | '0.9' | '0.99'];
    return q === undefined ? undefined : { value: q, extra: { ...extra, current: c?.quantiles } };
  }
  if (!d) return undefined;
  if (rule.metric === 'drifted') return { value: d.drifted.drifted ? 1 : 0, extra: { ...extra, verdict: d.drifted } };
  if (rule.metric === 'missing_rate') return { value: d.missing_rate[1], extra: { ...extra, baseline: d.missing_rate[0] } };
  const stat = rule.metric.slice(6);
  const value =
    d.kind === 'numeric'
      ? ({ psi: d.psi, js: d.js, hellinger: d.hellinger, wasserstein: d.wasserstein, ks_pvalue: d.ks.pvalue } as Record<string, number>)[stat]
      : ({ psi: d.psi, js: d.js, chi2_pvalue: d.chi2.pvalue, linf: d.linf } as Record<string, number>)[stat];
  return value === undefined ? undefined : { value, extra };
}
