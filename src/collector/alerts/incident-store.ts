// Reading incidents and acting on them (acknowledge, silence, snooze, record the decision), for
// the API, the dashboard and the CLI. Actions are recorded in the incident's timeline with who
// took them; their expiries are applied by the next alert round (incidents.ts).
import { RequestError } from '../errors.ts';
import type { Queryable } from '../storage/db.ts';
import { recordEvent, type IncidentRow } from './incidents.ts';
import type { Incident, IncidentAction, IncidentFilter, TimelineEntry } from 'edgewatch/read-api';
import { incidentSignals } from './signals.ts';

export type { Incident, IncidentAction, IncidentFilter, TimelineEntry };

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

async function toIncident(db: Queryable, r: IncidentRow): Promise<Incident> {
  const signals = await incidentSignals(db, r.id);
  const columns = [...new Set(signals.map((s) => s.column ?? s.output).filter((c): c is string => c !== null))];
  const segments = [...new Map(signals.filter((s) => s.segment).map((s) => [JSON.stringify(s.segment), s.segment!])).values()];
  return {
    id: Number(r.id),
    model: r.model,
    version: r.version,
    state: r.state,
    severity: r.severity,
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
    acknowledgedAt: num(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    acknowledgedUntil: num(r.ack_until),
    silencedUntil: num(r.silenced_until),
    snoozedUntil: num(r.snoozed_until),
    resolvedAt: num(r.resolved_at),
    decision: r.decision,
    columns,
    segments,
    signals,
  };
}

/**
 * Incidents of a project, newest first. `active` (the default): open or acknowledged and not
 * snoozed at `now`; `snoozed`: those hidden by a snooze that has not expired.
 */
export async function listIncidents(db: Queryable, projectId: number, filter: IncidentFilter, now: number): Promise<Incident[]> {
  const rows = await db.query<IncidentRow>(
    `select * from incidents where project_id = $1 and (
       $2 = 'all'
       or ($2 = 'active' and state <> 'resolved' and (snoozed_until is null or snoozed_until <= $3))
       or ($2 = 'snoozed' and state <> 'resolved' and snoozed_until > $3)
       or state = $2)
     order by id desc limit 200`,
    [projectId, filter, now],
  );
  const out: Incident[] = [];
  for (const r of rows) out.push(await toIncident(db, r));
  return out;
}

export async function getIncident(
  db: Queryable,
  projectId: number,
  id: number,
): Promise<{ incident: Incident; timeline: TimelineEntry[] }> {
  const [r] = await db.query<IncidentRow>('select * from incidents where project_id = $1 and id = $2', [projectId, id]);
  if (!r) throw new RequestError(404, 'not_found', `no incident ${id}`);
  const timeline = await db.query<{ at: number; kind: string; actor: string | null; note: string | null }>(
    'select at, kind, actor, note from incident_events where incident_id = $1 order by id',
    [id],
  );
  return { incident: await toIncident(db, r), timeline: timeline.map((t) => ({ ...t, at: Number(t.at) })) };
}

const EVENT_OF: Record<IncidentAction, string> = {
  acknowledge: 'acknowledged',
  silence: 'silenced',
  snooze: 'snoozed',
  decide: 'decision',
};

export interface ActionRequest {
  /** Who acts (a name or a handle): shown in the timeline and the postmortem. */
  by: string;
  note?: string;
  /** The expiry, in ms since the epoch; silence and snooze need it, acknowledge may have it. */
  until?: number;
  /** decide: the decision taken (e.g. "rolled back to 1.4.0"), for the postmortem. */
  decision?: string;
}

export async function actOnIncident(
  db: Queryable,
  projectId: number,
  id: number,
  action: IncidentAction,
  req: ActionRequest,
  now: number,
): Promise<void> {
  const [r] = await db.query<IncidentRow>('select * from incidents where project_id = $1 and id = $2 for update', [projectId, id]);
  if (!r) throw new RequestError(404, 'not_found', `no incident ${id}`);
  if (r.state === 'resolved' && action !== 'decide') throw new RequestError(409, 'request', `incident ${id} is resolved`);
  if (req.until !== undefined && req.until <= now) throw new RequestError(400, 'request', 'until must be in the future');
  if ((action === 'silence' || action === 'snooze') && req.until === undefined)
    throw new RequestError(400, 'request', `${action} needs an expiry (until or for)`);
  const until = req.until ?? null;
  if (action === 'acknowledge') {
    await db.query(
      "update incidents set state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, ack_until = $4, updated_at = $2 where id = $1",
      [id, now, req.by, until],
    );
  } else if (action === 'silence') {
    await db.query('update incidents set silenced_until = $2, updated_at = $3 where id = $1', [id, until, now]);
  } else if (action === 'snooze') {
    await db.query('update incidents set snoozed_until = $2, updated_at = $3 where id = $1', [id, until, now]);
  } else {
    if (!req.decision) throw new RequestError(400, 'request', 'decide needs a decision');
    await db.query('update incidents set decision = $2, updated_at = $3 where id = $1', [id, req.decision, now]);
  }
  const what = action === 'decide' ? req.decision! : until !== null ? `until ${new Date(until).toISOString()}` : null;
  const note = [what, req.note].filter(Boolean).join(' — ') || null;
  await recordEvent(db, id, now, EVENT_OF[action], req.by, note);
}
