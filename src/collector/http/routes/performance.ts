// Model performance from feedback columns (read and admin keys): accuracy, precision/recall,
// ROC AUC and calibration per output of a merged range, through read/aggregate.ts like every
// other read, so k-anonymity applies.
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../../context.ts';
import { aggregate, suppressedCounts } from '../../read/aggregate.ts';
import { performanceOf } from '../../read/performance.ts';
import { HOUR } from '../../read/rollup.ts';
import { requireKey } from '../auth.ts';
import { errorBar, rangeQuery, versionParams } from '../schemas.ts';
import { counts, selection, type RangeQ, type VersionP } from './read.ts';

const ratio = { type: ['number', 'null'] } as const;

const output = {
  type: 'object',
  properties: {
    labelled: { type: 'number' },
    accuracy: ratio,
    classes: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { precision: ratio, recall: ratio, support: { type: 'number' }, predicted: { type: 'number' }, auc: ratio },
      },
    },
    confusion: {
      type: 'object',
      properties: {
        classes: { type: 'array', items: { type: 'string' } },
        matrix: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
      },
    },
    calibration: {
      type: ['object', 'null'],
      properties: {
        ece: ratio,
        total: { type: 'number' },
        bins: {
          type: 'array',
          items: {
            type: 'object',
            properties: { count: { type: 'number' }, correct: { type: 'number' }, accuracy: ratio, confidence: { type: 'number' } },
          },
        },
      },
    },
    labelledError: errorBar,
    classError: errorBar,
  },
} as const;

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
        response: {
          200: {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              k: { type: 'integer' },
              suppressed: { type: 'boolean' },
              layouts: { type: 'integer' },
              ...counts,
              outputs: { type: 'object', additionalProperties: output },
              cellError: errorBar,
            },
          },
        },
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
