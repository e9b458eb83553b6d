// An incident's signals: its alerts read as what an on-call engineer needs first — which rule,
// which column (or output) and segment, and the statistic behind the verdict with its value and
// threshold. A `drifted` rule's own value is a flag (1), so its signal names the statistic the
// core's verdict rests on instead (e.g. ks.pvalue 0.0003 against 0.01).
import type { Signal } from 'edgewatch/read-api';
import type { Queryable } from '../storage/db.ts';

export type { Signal };

export type SignalRow = {
  id: number;
  name: string;
  severity: string;
  owner: string;
  state: string;
  value: number | null;
  fired_at: number | null;
  resolved_at: number | null;
  evidence: Record<string, unknown>;
};

export function signalOf(a: SignalRow): Signal {
  const e = a.evidence;
  const verdict = e.verdict as { test: string; value: number; threshold: number } | undefined;
  const noData = a.state === 'no_data' || e.statistic === 'no_data';
  return {
    alert: Number(a.id),
    rule: a.name,
    severity: a.severity as Signal['severity'],
    owner: a.owner,
    state: a.state as Signal['state'],
    column: (e.column as string | null | undefined) ?? null,
    output: (e.output as string | undefined) ?? null,
    slo: (e.slo as string | undefined) ?? null,
    segment: (e.segment as Record<string, string> | null | undefined) ?? null,
    statistic: noData ? 'no_data' : verdict ? verdict.test : String(e.statistic),
    value: noData ? null : verdict ? verdict.value : (a.value ?? null),
    // p-values drift when they fall below the threshold, distances when they reach it.
    op: noData ? null : verdict ? (verdict.test.endsWith('pvalue') ? '<' : '>=') : ((e.op as string | undefined) ?? null),
    threshold: noData ? null : verdict ? verdict.threshold : ((e.threshold as number | undefined) ?? null),
    firedAt: a.fired_at === null ? null : Number(a.fired_at),
    resolvedAt: a.resolved_at === null ? null : Number(a.resolved_at),
    window: (e.window as Signal['window'] | undefined) ?? null,
    link: (e.link as string | null | undefined) ?? null,
  };
}

/** Every alert that joined the incident, the earliest first. */
export async function incidentSignals(db: Queryable, incidentId: number): Promise<Signal[]> {
  const rows = await db.query<SignalRow>(
    `select a.id, r.name, r.severity, r.owner, a.state, a.value, a.fired_at, a.resolved_at, a.evidence
     from alerts a join alert_rules r on r.id = a.rule_id where a.incident_id = $1 order by a.id`,
    [incidentId],
  );
  return rows.map(signalOf);
}

/** "age ks.pvalue 0.0003 < 0.01" — one line of a notification or a postmortem. */
export function describeSignal(s: Signal): string {
  const where = [s.column ?? s.output ?? (s.slo ? `SLO ${s.slo}` : 'version'), s.segment ? `segment ${JSON.stringify(s.segment)}` : null]
    .filter(Boolean)
    .join(' ');
  if (s.statistic === 'no_data') return `${where}: no data (${s.rule})`;
  const v = s.value === null ? 'n/a' : formatNumber(s.value);
  const t = s.threshold === null ? '' : ` ${s.op ?? ''} ${formatNumber(s.threshold)}`.replace('  ', ' ');
  return `${where}: ${s.statistic} ${v}${t} (${s.rule})`;
}

function formatNumber(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 0.001 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}
