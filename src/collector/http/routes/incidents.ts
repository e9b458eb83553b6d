// Incidents (read and admin keys): list, one with its signals and timeline, its postmortem
// draft, and the on-call actions. Read keys may act: whoever is on call works from the dashboard,
// which holds a read key; every action names who took it.
import type { FastifyInstance } from 'fastify';
import { INCIDENT_ACTIONS, INCIDENT_FILTERS, incidentActedSchema, incidentDetailSchema, incidentsSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { actOnIncident, getIncident, listIncidents, type ActionRequest, type IncidentFilter } from '../../alerts/incident-store.ts';
import { incidentSegments } from '../../alerts/incident-segments.ts';
import { postmortem } from '../../alerts/postmortem.ts';
import { spanMs, SPAN_PATTERN } from '../../eval-windows.ts';
import { requireKey } from '../auth.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

const actionBody = {
  type: 'object',
  required: ['by'],
  additionalProperties: false,
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 128 },
    note: { type: 'string', maxLength: 2000 },
    until: { type: 'integer', description: 'expiry, ms since the epoch' },
    for: { type: 'string', pattern: SPAN_PATTERN, description: 'expiry as a span from now, e.g. 30m, 4h, 1d' },
    decision: { type: 'string', minLength: 1, maxLength: 2000 },
  },
} as const;

type ActionBody = Omit<ActionRequest, 'until'> & { until?: number; for?: string };

export function incidentRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);

  app.get<{ Querystring: { state?: IncidentFilter } }>(
    '/v1/incidents',
    {
      preHandler: reader,
      schema: {
        summary: 'Incidents of the project, newest first (default: active — open or acknowledged, not snoozed)',
        tags: ['incidents'],
        querystring: { type: 'object', properties: { state: { type: 'string', enum: INCIDENT_FILTERS } } },
        response: { 200: incidentsSchema },
      },
    },
    async (req) => ({ incidents: await listIncidents(ctx.db, req.principal!.projectId, req.query.state ?? 'active', Date.now()) }),
  );

  app.get<{ Params: { id: number } }>(
    '/v1/incidents/:id',
    {
      preHandler: reader,
      schema: {
        summary: 'One incident: its signals (rule, column, segment, statistic, value, threshold) and its timeline',
        tags: ['incidents'],
        params: idParams,
        response: { 200: incidentDetailSchema },
      },
    },
    async (req) => {
      const found = await getIncident(ctx.db, req.principal!.projectId, req.params.id);
      return { ...found, segmentRanking: await incidentSegments(ctx, req.principal!.projectId, found.incident) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/v1/incidents/:id/postmortem',
    {
      preHandler: reader,
      schema: { summary: 'A postmortem draft in Markdown, filled from the incident', tags: ['incidents'], params: idParams },
    },
    async (req, reply) => {
      const { incident, timeline } = await getIncident(ctx.db, req.principal!.projectId, req.params.id);
      const ranking = await incidentSegments(ctx, req.principal!.projectId, incident);
      reply.type('text/markdown; charset=utf-8');
      return postmortem(req.principal!.project, incident, timeline, ranking);
    },
  );

  for (const action of INCIDENT_ACTIONS) {
    app.post<{ Params: { id: number }; Body: ActionBody }>(
      `/v1/incidents/:id/${action}`,
      {
        preHandler: reader,
        schema: {
          summary: {
            acknowledge: 'Acknowledge (optionally until an expiry, after which it is open and notified again)',
            silence: 'Send no notification of it until the expiry',
            snooze: 'Hide it from the active list and send no notification until the expiry, then notify it again',
            decide: 'Record the decision taken (for the postmortem)',
          }[action],
          tags: ['incidents'],
          params: idParams,
          body: actionBody,
          response: { 200: incidentActedSchema },
        },
      },
      async (req) => {
        const now = Date.now();
        const { for: span, until, ...rest } = req.body;
        if (span !== undefined && until !== undefined) throw new RequestError(400, 'request', 'give until or for, not both');
        const expiry = span !== undefined ? now + spanMs(span)! : until;
        await ctx.db.transaction((tx) =>
          actOnIncident(tx, req.principal!.projectId, req.params.id, action, { ...rest, until: expiry }, now),
        );
        return getIncident(ctx.db, req.principal!.projectId, req.params.id);
      },
    );
  }
}
