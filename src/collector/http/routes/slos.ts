// SLOs (admin keys write, read keys read): each with, per model version it covers, where it
// stands now — events, error ratio and burn rate per window, the budget left over its period,
// and the burn of each alert pair (slo/status.ts). Saving one installs its burn-rate rules.
import type { FastifyInstance } from 'fastify';
import { okSchema, slosSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { parseEvalWindows } from '../../eval-windows.ts';
import { deleteSlo, listSlos, saveSlo, sloSchema, type Slo } from '../../slo/slos.ts';
import { sloStatuses } from '../../slo/status.ts';
import { requireKey } from '../auth.ts';

const nameParams = { type: 'object', properties: { name: { type: 'string' } } } as const;

export function sloRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  const admin = requireKey(ctx.keys, ['admin']);
  const firstWindow = parseEvalWindows(ctx.options.evalWindows)[0].name;

  app.get(
    '/v1/slos',
    {
      preHandler: reader,
      schema: {
        summary: 'SLOs of the project, each with its status per model version: budget left, burn rates, events per window',
        tags: ['slos'],
        response: { 200: slosSchema },
      },
    },
    async (req) => {
      const projectId = req.principal!.projectId;
      const now = Date.now();
      const slos = await listSlos(ctx.db, projectId);
      const out = [];
      for (const s of slos) {
        const versions = await ctx.db.query<{ version: string }>(
          'select version from models where project_id = $1 and model = $2 and ($3::text is null or version = $3) order by version',
          [projectId, s.model, s.version],
        );
        const statuses = [];
        for (const { version } of versions) {
          const st = (await sloStatuses(ctx.db, ctx.core, ctx.options, { projectId, model: s.model, version }, [s], now))[s.name];
          statuses.push({ version, ...st });
        }
        const { id: _id, projectId: _p, ...definition } = s;
        out.push({ ...definition, versions: statuses });
      }
      return { slos: out };
    },
  );

  app.put<{ Params: { name: string }; Body: Slo }>(
    '/v1/slos/:name',
    {
      preHandler: admin,
      schema: {
        summary: 'Create or replace an SLO (and its four burn-rate alert rules)',
        tags: ['slos'],
        params: nameParams,
        body: sloSchema,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      if (req.body.name !== req.params.name) throw new RequestError(400, 'request', 'the SLO name in the path and the body differ');
      await ctx.db.transaction((tx) =>
        saveSlo(tx, req.principal!.projectId, { ...req.body, period: req.body.period ?? '30d' }, firstWindow, Date.now()),
      );
      return { ok: true };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/v1/slos/:name',
    {
      preHandler: admin,
      schema: { summary: 'Delete an SLO and its burn-rate rules', tags: ['slos'], params: nameParams, response: { 200: okSchema } },
    },
    async (req) => {
      const gone = await ctx.db.transaction((tx) => deleteSlo(tx, req.principal!.projectId, req.params.name));
      if (!gone) throw new RequestError(404, 'not_found', `no SLO "${req.params.name}"`);
      return { ok: true };
    },
  );
}
