// Model performance from feedback columns (read and admin keys): accuracy, precision/recall,
// ROC AUC and calibration per output of a merged range, through read/aggregate.ts like every
// other read, so k-anonymity applies.
import type { FastifyInstance } from 'fastify';
import { performanceSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { aggregate, suppressedCounts } from '../../read/aggregate.ts';
import { performanceOf } from '../../read/performance.ts';
import { HOUR } from '../../read/rollup.ts';
import { requireKey } from '../auth.ts';
import { rangeQuery, versionParams } from '../schemas.ts';
import { selection, type RangeQ, type VersionP } from './read.ts';

export function performanceRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  const k = ctx.options.kAnonymity;

  app.get<{ Params: VersionP; Querystring: RangeQ }>(
    '/v1/models/:model/versions/:version/performance',
    {
      preHandler: reader,
      schema: {
        summary: 'Accuracy, precision/recall, ROC AUC and calibration per output from feedback columns (default: the last 24 h)',
        tags: ['read'],
        params: versionParams,
        querystring: rangeQuery,
        response: { 200: performanceSchema },
      },
    },
    async (req) => {
      const s = selection(req.principal!.projectId, req.params, req.query, 24 * HOUR);
      const agg = await aggregate(ctx.db, ctx.core, k, s);
      const range = { from: s.from, to: s.to, k };
      if (agg.suppressed) return { ...range, suppressed: true, ...suppressedCounts(agg) };
      const head = { ...range, devices: agg.devices, uploads: agg.uploads, rows: agg.rows };
      try {
        return { ...head, suppressed: false, layouts: agg.layouts, ...performanceOf(ctx.core, agg.profile, agg.noise) };
      } finally {
        agg.profile.dispose();
      }
    },
  );
}
