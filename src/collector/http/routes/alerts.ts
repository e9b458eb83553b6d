// Alert rules (admin keys write, read keys list) and alerts (read keys).
import type { FastifyInstance } from 'fastify';
import { alertsSchema, okSchema, type RulesResponse, ruleSavedSchema, rulesSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { defaultRules, deleteRule, listRules, ruleSchema, saveRule, type AlertRule } from '../../alerts/rules.ts';
import { parseEvalWindows } from '../../eval-windows.ts';
import { requireKey } from '../auth.ts';

/** The project's rules as the read API shows them: without the project they belong to. */
async function rulesOf(ctx: CollectorContext, projectId: number): Promise<RulesResponse> {
  return { rules: (await listRules(ctx.db, projectId)).map(({ projectId: _p, ...r }) => r) };
}

export function alertRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  const admin = requireKey(ctx.keys, ['admin']);
  // A rule observes one of the windows this collector evaluates; without one, the first.
  const windows = parseEvalWindows(ctx.options.evalWindows).map((w) => w.name);
  const windowOf = (r: AlertRule): string => {
    const w = r.window ?? windows[0];
    if (!windows.includes(w))
      throw new RequestError(400, 'request', `window "${w}" is not evaluated by this collector (--eval-windows ${windows.join(',')})`);
    return w;
  };

  app.get(
    '/v1/alerts/rules',
    {
      preHandler: reader,
      schema: {
        summary: 'Alert rules of the project',
        tags: ['alerts'],
        response: { 200: rulesSchema },
      },
    },
    async (req) => rulesOf(ctx, req.principal!.projectId),
  );

  app.put<{ Params: { name: string }; Body: AlertRule }>(
    '/v1/alerts/rules/:name',
    {
      preHandler: admin,
      schema: {
        summary: 'Create or replace an alert rule',
        tags: ['alerts'],
        params: { type: 'object', properties: { name: { type: 'string' } } },
        body: ruleSchema,
        response: { 200: ruleSavedSchema },
      },
    },
    async (req) => {
      if (req.body.name !== req.params.name) throw new RequestError(400, 'request', 'the rule name in the path and the body differ');
      return { id: await saveRule(ctx.db, req.principal!.projectId, { ...req.body, window: windowOf(req.body) }) };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/v1/alerts/rules/:name',
    {
      preHandler: admin,
      schema: {
        summary: 'Delete an alert rule and its alerts',
        tags: ['alerts'],
        params: { type: 'object', properties: { name: { type: 'string' } } },
        response: { 200: okSchema },
      },
    },
    async (req) => {
      if (!(await deleteRule(ctx.db, req.principal!.projectId, req.params.name)))
        throw new RequestError(404, 'not_found', `no rule "${req.params.name}"`);
      return { ok: true };
    },
  );

  app.post<{ Body: { owners: { data: string; platform: string; model: string }; webhookUrl?: string; webhookFormat?: 'json' | 'slack' } }>(
    '/v1/alerts/rules/defaults',
    {
      preHandler: admin,
      schema: {
        summary: 'Install the default rules (freshness, missing values, latency, errors, drift, calibration, confidence) with their owners',
        tags: ['alerts'],
        body: {
          type: 'object',
          required: ['owners'],
          properties: {
            owners: {
              type: 'object',
              required: ['data', 'platform', 'model'],
              properties: {
                data: { type: 'string', minLength: 1 },
                platform: { type: 'string', minLength: 1 },
                model: { type: 'string', minLength: 1 },
              },
            },
            webhookUrl: ruleSchema.properties.webhookUrl,
            webhookFormat: ruleSchema.properties.webhookFormat,
          },
        },
        response: { 200: rulesSchema },
      },
    },
    async (req) => {
      for (const r of defaultRules(req.body.owners)) {
        await saveRule(ctx.db, req.principal!.projectId, {
          ...r,
          window: windowOf(r),
          webhookUrl: req.body.webhookUrl,
          webhookFormat: req.body.webhookFormat,
        });
      }
      return rulesOf(ctx, req.principal!.projectId);
    },
  );

  app.get<{ Querystring: { state?: string } }>(
    '/v1/alerts',
    {
      preHandler: reader,
      schema: {
        summary: 'Alerts of the project, newest first (default: open — pending, firing and no data)',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          properties: { state: { type: 'string', enum: ['open', 'pending', 'firing', 'no_data', 'resolved', 'all'] } },
        },
        response: { 200: alertsSchema },
      },
    },
    async (req) => {
      const state = req.query.state ?? 'open';
      const rows = await ctx.db.query<Record<string, unknown>>(
        `select a.*, r.name, r.severity, r.owner from alerts a join alert_rules r on r.id = a.rule_id
       where r.project_id = $1 and ($2 = 'all' or a.state = $2 or ($2 = 'open' and a.state <> 'resolved'))
       order by a.id desc limit 500`,
        [req.principal!.projectId, state],
      );
      return {
        alerts: rows.map((a) => ({
          id: a.id,
          rule: a.name,
          series: a.series,
          state: a.state,
          severity: a.severity,
          owner: a.owner,
          value: a.value,
          startedAt: a.started_at,
          firedAt: a.fired_at,
          resolvedAt: a.resolved_at,
          incidentId: a.incident_id ?? null,
          evidence: a.evidence,
        })),
      };
    },
  );
}
