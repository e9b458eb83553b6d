// A postmortem draft in Markdown, filled from an incident: what changed (the model version and
// when), which signals, which features and segments, the timeline with who did what, and the
// decision taken. The sections a person must write (root cause, follow-ups) are left as
// prompts; everything else comes from the record, so the draft never says more than it knows.
import type { IncidentSegments } from './incident-segments.ts';
import type { Incident, TimelineEntry } from './incident-store.ts';

const iso = (t: number | null) => (t === null ? '—' : new Date(t).toISOString().replace('.000Z', 'Z'));

export function postmortem(project: string, inc: Incident, timeline: TimelineEntry[], ranking: IncidentSegments = {}): string {
  const lasted = (inc.resolvedAt ?? inc.updatedAt) - inc.openedAt;
  const windows = [...new Set(inc.signals.map((s) => s.link).filter(Boolean))].slice(0, 5);
  const lines = [
    `# Postmortem: incident #${inc.id} — ${inc.model}@${inc.version}`,
    '',
    `- Project: ${project}`,
    `- Severity: ${inc.severity}`,
    `- State: ${inc.state}`,
    `- Opened: ${iso(inc.openedAt)}`,
    `- Acknowledged: ${inc.acknowledgedAt === null ? '—' : `${iso(inc.acknowledgedAt)} by ${inc.acknowledgedBy}`}`,
    `- Resolved: ${iso(inc.resolvedAt)}${inc.resolvedAt === null ? '' : ` (after ${Math.round(lasted / 60_000)} min)`}`,
    '',
    '## What changed',
    '',
    `Model ${inc.model}, version ${inc.version}: ${inc.signals.length} signal${inc.signals.length === 1 ? '' : 's'} from ${new Set(inc.signals.map((s) => s.rule)).size} rule(s), the first at ${iso(Math.min(...inc.signals.map((s) => s.firedAt ?? inc.openedAt)))}.`,
    '',
    '## Signals',
    '',
    '| Rule | Severity | Where | Statistic | Value | Threshold | State |',
    '|---|---|---|---|---|---|---|',
    ...inc.signals.map(
      (s) =>
        `| ${s.rule} | ${s.severity} | ${s.column ?? s.output ?? 'version'}${s.segment ? ` ${JSON.stringify(s.segment)}` : ''} | ${s.statistic} | ${s.value ?? '—'} | ${s.threshold === null ? '—' : `${s.op ?? ''} ${s.threshold}`} | ${s.state} |`,
    ),
    '',
    '## Features',
    '',
    inc.columns.length ? inc.columns.map((c) => `- ${c}`).join('\n') : '- none (version-level signals only)',
    '',
    '## Segments',
    '',
    inc.segments.length ? inc.segments.map((s) => `- ${JSON.stringify(s)}`).join('\n') : '- the whole version (no per-segment signal)',
    '',
    ...Object.entries(ranking).flatMap(([column, segs]) => [
      `By contribution to the drift of ${column} (JS distance of all traffic minus that without the segment):`,
      '',
      ...(segs.length
        ? segs.map(
            (s) =>
              `- ${JSON.stringify(s.segment)}: ${s.driftContribution === null ? 'n/a' : s.driftContribution.toFixed(4)} (${s.devices} devices)`,
          )
        : ['- no segment of k devices']),
      '',
    ]),
    '## Timeline (UTC)',
    '',
    ...timeline.map((t) => `- ${iso(t.at)} ${t.kind}${t.actor ? ` by ${t.actor}` : ''}${t.note ? `: ${t.note}` : ''}`),
    '',
    '## Decision',
    '',
    inc.decision ?? '_Not recorded yet (record it with `edgewatch incidents decide`)._',
    '',
    '## Evidence',
    '',
    windows.length ? windows.map((w) => `- ${w}`).join('\n') : "- the dashboard's model view for this version",
    '',
    '## Root cause',
    '',
    '_To be written._',
    '',
    '## Follow-ups',
    '',
    '- _To be written._',
    '',
  ];
  return lines.join('\n');
}
