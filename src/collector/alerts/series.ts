// What a rule observes in a snapshot: one value per series (model version, or model version and
// column, or model version and output) in the rule's rolling window, with the evidence an alert
// carries. Series below k devices are not observed at all.
import { columnName } from 'edgewatch';
import { canonicalSegment } from '../read/segments.ts';
import type { VersionState } from '../read/snapshot.ts';
import { OUTPUT_METRICS, type StoredRule } from './rules.ts';

/**
 * Performance metrics are observed only from this many labelled rows in the window: ECE and
 * accuracy over a handful of labels swing too widely to page anyone.
 */
export const MIN_LABELLED = 100;

export interface Observation {
  series: string;
  value: number;
  evidence: Record<string, unknown>;
}

/** Whether a state (model version, segment, window) is one the rule's series are taken from. */
export function inScope(rule: StoredRule, s: VersionState): boolean {
  if (s.projectId !== rule.projectId) return false;
  if (rule.model && rule.model !== s.model) return false;
  if (rule.version && rule.version !== s.version) return false;
  // A per-segment rule sees the segments only; any other rule the whole version only.
  if (Boolean(rule.bySegment) !== (s.segment !== null)) return false;
  // A window the collector does not evaluate (--eval-windows changed since) is never observed.
  return s.window === rule.window;
}

/**
 * The series key: model|version[|column or output][|segment JSON]|window. Without parts, the
 * key of the state itself (what a no-data alert is raised on).
 */
export function seriesKey(s: Pick<VersionState, 'model' | 'version' | 'segment' | 'window'>, ...parts: string[]): string {
  const seg = s.segment ? canonicalSegment(s.segment) : null;
  return [s.model, s.version, ...parts, ...(seg ? [seg] : []), s.window].join('|');
}

/** What every alert of a state carries: where it is, over which window, and a link to look. */
export function baseEvidence(s: VersionState, publicUrl?: string): Record<string, unknown> {
  const seg = s.segment ? canonicalSegment(s.segment) : null;
  return {
    project: s.project,
    model: s.model,
    version: s.version,
    segment: s.segment,
    window: { name: s.window, from: s.from, to: s.to },
    link: viewLink(publicUrl, s, seg, null, false),
  };
}

export function observe(rule: StoredRule, states: VersionState[], publicUrl?: string): Observation[] {
  const out: Observation[] = [];
  for (const s of states) {
    if (!inScope(rule, s)) continue;
    const seg = s.segment ? canonicalSegment(s.segment) : null;
    const key = (...parts: string[]) => seriesKey(s, ...parts);
    const link = (column: string | null, atWindow: boolean) => viewLink(publicUrl, s, seg, column, atWindow);
    const base = baseEvidence(s, publicUrl);
    if (rule.metric === 'freshness_seconds' || rule.metric === 'devices') {
      const value = rule.metric === 'devices' ? (s.visible ? s.devices : undefined) : s.freshnessSeconds;
      if (value === undefined || value === null) continue;
      out.push({ series: key(), value, evidence: { ...base, column: null, statistic: rule.metric, value } });
      continue;
    }
    if (rule.metric.startsWith('slo.burn.')) {
      // slo.burn.<long>.<short>: measured over the SLO's own windows, whatever this one holds.
      const pair = rule.metric.slice(9).replace('.', '/');
      for (const [name, st] of Object.entries(s.slos ?? {})) {
        if (rule.column && rule.column !== name) continue;
        const value = st.burn[pair];
        if (value === null || value === undefined) continue;
        const [long, short] = pair.split('/');
        out.push({
          series: key(name),
          value,
          evidence: {
            ...base,
            column: null,
            slo: name,
            statistic: rule.metric,
            value,
            indicator: st.indicator,
            objective: st.objective,
            budgetRemaining: st.budgetRemaining,
            burn: { [long]: st.windows[long]?.burnRate, [short]: st.windows[short]?.burnRate },
          },
        });
      }
      continue;
    }
    if (!s.visible) continue;
    if (rule.metric === 'schema_changes') {
      if (!s.schema) continue;
      const value = s.schema.missing.length + s.schema.changed.length;
      out.push({
        series: key(),
        value,
        evidence: { ...base, link: link(null, true), column: null, statistic: rule.metric, value, ...s.schema },
      });
      continue;
    }
    if (rule.metric === 'failure_rate') {
      const h = s.health;
      if (!h || h.failureRate === null) continue;
      const value = h.failureRate;
      out.push({
        series: key(),
        value,
        evidence: {
          ...base,
          link: link(null, true),
          column: null,
          statistic: rule.metric,
          value,
          calls: h.calls,
          failures: h.failures,
          byKind: h.byKind,
        },
      });
      continue;
    }
    if (OUTPUT_METRICS.includes(rule.metric)) {
      for (const [output, o] of Object.entries(s.outputs ?? {})) {
        if (rule.column && rule.column !== output) continue;
        const v = outputValue(rule, output, o);
        if (v === undefined || !Number.isFinite(v.value)) continue;
        // Confidence opens the confidence column's view; performance the model view at the window.
        out.push({
          series: key(output),
          value: v.value,
          evidence: {
            ...base,
            link: link(v.column ?? null, true),
            column: v.column ?? null,
            output,
            statistic: rule.metric,
            value: v.value,
            ...v.extra,
          },
        });
      }
      continue;
    }
    const columns = rule.column ? [rule.column] : Object.keys(s.columns ?? {});
    for (const column of columns) {
      const v = columnValue(rule, s, column);
      if (v === undefined || !Number.isFinite(v.value)) continue;
      out.push({
        series: key(column),
        value: v.value,
        evidence: { ...base, link: link(column, true), column, statistic: rule.metric, value: v.value, ...v.extra },
      });
    }
  }
  return out;
}

/**
 * The dashboard's view of a model version, or of one column (what an on-call engineer opens
 * first), at the alert's window and segment: the URL scheme of src/dashboard/state/route.ts.
 */
function viewLink(
  publicUrl: string | undefined,
  s: VersionState,
  seg: string | null,
  column: string | null,
  atWindow: boolean,
): string | null {
  if (!publicUrl) return null;
  const model = `${publicUrl.replace(/\/$/, '')}/#/models/${encodeURIComponent(s.model)}/versions/${encodeURIComponent(s.version)}`;
  const path = column ? `${model}/columns/${encodeURIComponent(column)}` : model;
  const q = new URLSearchParams();
  if (atWindow) {
    q.set('from', String(s.from));
    q.set('to', String(s.to));
  }
  if (seg) q.set('segment', seg);
  const query = q.toString();
  return query ? `${path}?${query}` : path;
}

function outputValue(
  rule: StoredRule,
  output: string,
  o: NonNullable<VersionState['outputs']>[string],
): { value: number; column?: string; extra: Record<string, unknown> } | undefined {
  if (rule.metric === 'confidence.median') {
    return o.confidenceMedian === undefined ? undefined : { value: o.confidenceMedian, column: columnName.confidence(output), extra: {} };
  }
  if (o.labelled === undefined || o.labelled < MIN_LABELLED) return undefined;
  const extra = { labelled: o.labelled, accuracy: o.accuracy, ece: o.ece, auc: o.auc };
  if (rule.metric === 'performance.accuracy') return o.accuracy == null ? undefined : { value: o.accuracy, extra };
  if (rule.metric === 'performance.ece') return o.ece == null ? undefined : { value: o.ece, extra };
  // The weakest class: any class the model stops separating shows here.
  const aucs = Object.values(o.auc ?? {}).filter((x): x is number => x !== null);
  return aucs.length ? { value: Math.min(...aucs), extra } : undefined;
}

function columnValue(rule: StoredRule, s: VersionState, column: string): { value: number; extra: Record<string, unknown> } | undefined {
  const d = s.drift?.[column];
  const c = s.columns?.[column];
  // Baseline vs current quantiles, when the core's compare has them.
  const extra: Record<string, unknown> =
    d?.kind === 'numeric' ? { quantiles: d.quantiles, test: d.drifted.test } : d ? { test: d.drifted.test } : {};
  if (rule.metric.startsWith('quantile.')) {
    const q = c?.quantiles?.[rule.metric.slice(9) as '0.5' | '0.9' | '0.99'];
    return q === undefined ? undefined : { value: q, extra: { ...extra, current: c?.quantiles } };
  }
  if (!d) return undefined;
  if (rule.metric === 'drifted') return { value: d.drifted.drifted ? 1 : 0, extra: { ...extra, verdict: d.drifted } };
  if (rule.metric === 'missing_rate') return { value: d.missing_rate[1], extra: { ...extra, baseline: d.missing_rate[0] } };
  if (rule.metric === 'quality_flagged')
    return { value: d.quality.flagged ? 1 : 0, extra: { ...extra, checks: d.quality.checks.filter((q) => q.flagged) } };
  const stat = rule.metric.slice(6);
  const value =
    d.kind === 'numeric'
      ? ({ psi: d.psi, js: d.js, hellinger: d.hellinger, wasserstein: d.wasserstein, ks_pvalue: d.ks.pvalue } as Record<string, number>)[
          stat
        ]
      : ({ psi: d.psi, js: d.js, chi2_pvalue: d.chi2.pvalue, linf: d.linf } as Record<string, number>)[stat];
  return value === undefined ? undefined : { value, extra };
}
