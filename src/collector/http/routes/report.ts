// GET …/report: the self-contained HTML drift report of a model version over a range
// (read/report.ts), for the dashboard's and the CLI's "attach to a ticket".
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../../context.ts';
import { driftReport } from '../../read/report.ts';
import { HOUR } from '../../read/rollup.ts';
import { requireKey } from '../auth.ts';
import { rangeQuery, versionParams } from '../schemas.ts';
import { selection, type RangeQ, type VersionP } from './read.ts';

export function reportRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  app.get<{ Params: VersionP; Querystring: RangeQ }>(
    '/v1/models/:model/versions/:version/report',
    {
      preHandler: reader,
      schema: {
        summary: 'A self-contained HTML drift report of the version over a range (default: the last 24 h), to attach to a ticket',
        tags: ['read'],
        params: versionParams,
        querystring: rangeQuery,
      },
    },
    async (req, reply) => {
      const s = selection(req.principal!.projectId, req.params, req.query, 24 * HOUR);
      const html = await driftReport(ctx.db, ctx.core, ctx.options, req.principal!.project, s);
      const name = `drift-${s.model}-${s.version}-${new Date(s.to).toISOString().slice(0, 16).replace(/[:T]/g, '')}.html`.replace(
        /[^A-Za-z0-9._-]/g,
        '_',
      );
      reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${name}"`);
      return html;
    },
  );
}
