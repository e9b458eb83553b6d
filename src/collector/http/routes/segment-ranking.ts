// GET …/segments/ranking: which segment drives a column's drift or an output's accuracy drop
// (read/segment-ranking.ts), for the model and column views and the incident.
import type { FastifyInstance } from 'fastify';
import { segmentRankingSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { loadBaseline } from '../../read/baselines.ts';
import { HOUR } from '../../read/rollup.ts';
import { rankSegments } from '../../read/segment-ranking.ts';
import { requireKey } from '../auth.ts';
import { rangeQuery, versionParams } from '../schemas.ts';
import { selection, type RangeQ, type VersionP } from './read.ts';

type Q = RangeQ & { column?: string; output?: string; by?: string };

export function segmentRankingRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  app.get<{ Params: VersionP; Querystring: Q }>(
    '/v1/models/:model/versions/:version/segments/ranking',
    {
      preHandler: reader,
      schema: {
        summary:
          "Segments of k devices ranked by their contribution to a column's drift (column=) or to an output's accuracy drop (output=), over a range (default: the last hour)",
        tags: ['read'],
        params: versionParams,
        querystring: {
          ...rangeQuery,
          properties: {
            ...rangeQuery.properties,
            column: { type: 'string', minLength: 1, maxLength: 256 },
            output: { type: 'string', minLength: 1, maxLength: 256 },
            by: {
              type: 'string',
              minLength: 1,
              maxLength: 128,
              description: 'group by this segment key (e.g. region) instead of whole segments',
            },
          },
        },
        response: { 200: segmentRankingSchema },
      },
    },
    async (req) => {
      const { column, output, by } = req.query;
      if (!column && !output) throw new RequestError(400, 'request', 'give "column" (drift) or "output" (accuracy), or both');
      const s = selection(req.principal!.projectId, req.params, req.query, HOUR);
      const baseline = column ? await loadBaseline(ctx.db, ctx.core, s.projectId, s.model, s.version) : null;
      if (column && !baseline) throw new RequestError(404, 'no_baseline', `no baseline for ${s.model}@${s.version}: drift needs one`);
      try {
        return await rankSegments(ctx.db, ctx.core, ctx.options, baseline, { ...s, column, output, by });
      } finally {
        baseline?.dispose();
      }
    },
  );
}
