// Incidents: the firing (and no-data) alerts of one model version grouped into one thing to
// handle, so one change of traffic is one page, not one per column. Lifecycle:
//   open ──acknowledge──▶ acknowledged ──(every signal resolved)──▶ resolved
//     ▲                        │ its `until` passes
//     └────────────────────────┘
// An alert that fires joins the version's active incident, or opens one. Silence (no webhook
// until its expiry) and snooze (no webhook, and hidden from the default list, until its expiry;
// then notified again as still open) mute an incident without changing its lifecycle.
// Notifications: one when it opens, one per change of its severity (page when any page rule's
// signal is active, else ticket), one when it resolves, one when an acknowledgement or a snooze
// lapses while it is still active; muted ones are dropped. They go to every webhook of the
// incident's rules, queued in the deliveries outbox with the state changes that caused them.
import type { Queryable } from '../storage/db.ts';
import { describeSignal, incidentSignals, type Signal } from './signals.ts';

export type IncidentRow = {
  id: number;
  project_id: number;
  model: string;
  version: string;
  state: 'open' | 'acknowledged' | 'resolved';
  severity: 'page' | 'ticket';
  opened_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  ack_until: number | null;
  silenced_until: number | null;
  snoozed_until: number | null;
  resolved_at: number | null;
  notified_severity: string | null;
  decision: string | null;
};

export type IncidentEvent = 'opened' | 'severity' | 'reopened' | 'resolved';

export async function recordEvent(db: Queryable, incidentId: number, at: number, kind: string, actor: string | null, note: string | null) {
  await db.query('insert into incident_events (incident_id, at, kind, actor, note) values ($1, $2, $3, $4, $5)', [
    incidentId,
    at,
    kind,
    actor,
    note,
  ]);
}

/** Attaches an alert that just fired (or went to no data) to its version's active incident. */
export async function joinIncident(
  tx: Queryable,
  where: { projectId: number; model: string; version: string; severity: 'page' | 'ticket' },
  alertId: number,
  line: string,
  now: number,
): Promise<number> {
  let [inc] = await tx.query<{ id: number }>(
    `select id from incidents where project_id = $1 and model = $2 and version = $3 and state <> 'resolved'
     order by id desc limit 1 for update`,
    [where.projectId, where.model, where.version],
  );
  if (!inc) {
    [inc] = await tx.query<{ id: number }>(
      `insert into incidents (project_id, model, version, state, severity, opened_at, updated_at)
       values ($1, $2, $3, 'open', $4, $5, $5) returning id`,
      [where.projectId, where.model, where.version, where.severity, now],
    );
    await recordEvent(tx, inc.id, now, 'opened', null, null);
  }
  await tx.query('update alerts set incident_id = $2 where id = $1', [alertId, inc.id]);
  await recordEvent(tx, inc.id, now, 'signal', null, line);
  return Number(inc.id);
}

/**
 * Brings every active incident up to date at `now`: lapsed acknowledgements, silences and
 * snoozes, its severity from its active signals, resolution when none is left, and the
 * notifications those changes call for.
 */
export async function reconcileIncidents(tx: Queryable, now: number, publicUrl?: string): Promise<void> {
  const active = await tx.query<IncidentRow>("select * from incidents where state <> 'resolved' order by id for update");
  for (const inc of active) {
    let reopened = false;
    let state = inc.state;
    let ackUntil = inc.ack_until;
    let silenced = inc.silenced_until;
    let snoozed = inc.snoozed_until;
    if (state === 'acknowledged' && ackUntil !== null && ackUntil <= now) {
      state = 'open';
      ackUntil = null;
      reopened = true;
      await recordEvent(tx, inc.id, now, 'acknowledgement-expired', null, null);
    }
    if (snoozed !== null && snoozed <= now) {
      snoozed = null;
      reopened = true;
      await recordEvent(tx, inc.id, now, 'snooze-expired', null, null);
    }
    if (silenced !== null && silenced <= now) {
      silenced = null;
      await recordEvent(tx, inc.id, now, 'silence-expired', null, null);
    }
    const signals = await incidentSignals(tx, inc.id);
    const live = signals.filter((s) => s.state === 'firing' || s.state === 'no_data');
    const severity = live.length === 0 ? inc.severity : live.some((s) => s.severity === 'page') ? 'page' : 'ticket';
    const muted = (silenced !== null && silenced > now) || (snoozed !== null && snoozed > now);
    let event: IncidentEvent | null = null;
    if (live.length === 0) {
      state = 'resolved';
      await recordEvent(tx, inc.id, now, 'resolved', null, null);
      if (inc.notified_severity !== null) event = 'resolved';
    } else if (inc.notified_severity === null) event = 'opened';
    else if (severity !== inc.notified_severity) event = 'severity';
    else if (reopened) event = 'reopened';
    if (severity !== inc.severity) await recordEvent(tx, inc.id, now, 'severity', null, `${inc.severity} → ${severity}`);
    const notify = event !== null && !muted;
    await tx.query(
      `update incidents set state = $2, severity = $3, ack_until = $4, silenced_until = $5, snoozed_until = $6,
         resolved_at = case when $2 = 'resolved' then $7 else resolved_at end,
         notified_severity = case when $8 then $3 else notified_severity end,
         updated_at = $7 where id = $1`,
      [inc.id, state, severity, ackUntil, silenced, snoozed, now, notify && event !== 'resolved'],
    );
    if (notify) await enqueueIncident(tx, { ...inc, state, severity }, event!, signals, now, publicUrl);
  }
}

/** Queues one notification of the incident to each distinct webhook among its rules. */
async function enqueueIncident(tx: Queryable, inc: IncidentRow, event: IncidentEvent, signals: Signal[], now: number, publicUrl?: string) {
  const hooks = await tx.query<{ url: string; format: 'json' | 'slack' }>(
    `select distinct r.webhook_url as url, r.webhook_format as format from alerts a join alert_rules r on r.id = a.rule_id
     where a.incident_id = $1 and r.webhook_url is not null order by 1, 2`,
    [inc.id],
  );
  if (hooks.length === 0) return;
  const [project] = await tx.query<{ name: string }>('select name from projects where id = $1', [inc.project_id]);
  const link = publicUrl ? `${publicUrl.replace(/\/$/, '')}/#/incidents/${inc.id}` : null;
  const incident = {
    id: Number(inc.id),
    project: project.name,
    model: inc.model,
    version: inc.version,
    state: inc.state,
    severity: inc.severity,
    openedAt: Number(inc.opened_at),
    owners: [...new Set(signals.map((s) => s.owner))].sort(),
    link,
  };
  for (const h of hooks) {
    const body =
      h.format === 'slack' ? { text: slackText(event, incident, signals) } : { event: `incident.${event}`, at: now, incident, signals };
    await tx.query('insert into deliveries (incident_id, event, url, body, next_at) values ($1, $2, $3, $4, $5)', [
      inc.id,
      `incident.${event}`,
      h.url,
      JSON.stringify(body),
      now,
    ]);
  }
}

function slackText(
  event: IncidentEvent,
  inc: { id: number; model: string; version: string; severity: string; owners: string[]; link: string | null },
  signals: Signal[],
): string {
  const heads: Record<IncidentEvent, string> = {
    opened: `:rotating_light: [${inc.severity}] incident #${inc.id} opened`,
    severity: `:arrow_up_down: incident #${inc.id} is now ${inc.severity}`,
    reopened: `:rotating_light: [${inc.severity}] incident #${inc.id} still open`,
    resolved: `:white_check_mark: incident #${inc.id} resolved`,
  };
  const live = event === 'resolved' ? signals : signals.filter((s) => s.state === 'firing' || s.state === 'no_data');
  const shown = live.slice(0, 10).map((s) => `• ${describeSignal(s)}`);
  if (live.length > shown.length) shown.push(`• … and ${live.length - shown.length} more`);
  const link = inc.link ? ` <${inc.link}|open>` : '';
  return `${heads[event]}: ${inc.model}@${inc.version}, ${live.length} signal${live.length === 1 ? '' : 's'}, owner ${inc.owners.join(', ')}${link}\n${shown.join('\n')}`;
}
