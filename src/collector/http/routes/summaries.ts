// Chosen columns per step, with or without a baseline (read and admin keys): the core's summary
// of each step's merged uploads and, for numeric columns, its quantiles. Every step goes through
// read/aggregate.ts, so a step of fewer than k devices is suppressed like any other read.
import type { FastifyInstance } from 'fastify';
import { summariesSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { STEP_QUANTILES, summaryTimeline } from '../../read/summaries.ts';
import { requireKey } from '../auth.ts';
import { rangeQuery, versionParams } from '../schemas.ts';
import { HOUR } from '../../read/rollup.ts';
import { selection, stepOf, type RangeQ, type VersionP } from './read.ts';

/** Columns per request: summaries carry their buckets, so a request names what it draws. */
const MAX_COLUMNS = 16;

type SummariesQ = RangeQ & { columns: string };

export function summaryRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  const k = ctx.options.kAnonymity;

  app.get<{ Params: VersionP; Querystring: SummariesQ }>(
    '/v1/models/:model/versions/:version/summaries',
    {
      preHandler: reader,
      schema: {
        summary: 'Summaries (and quantiles) of chosen columns per step, no baseline needed (default: the last 24 h in 1 h steps)',
        tags: ['read'],
        params: versionParams,
        querystring: {
          ...rangeQuery,
          required: ['columns'],
          properties: {
            ...rangeQuery.properties,
            step: { type: 'integer', minimum: 60_000 },
            columns: { type: 'string', minLength: 1, maxLength: 4096, description: `comma-separated column names, at most ${MAX_COLUMNS}` },
          },
        },
        response: { 200: summariesSchema },
      },
    },
    async (req) => {
      const s = selection(req.principal!.projectId, req.params, req.query, 24 * HOUR);
      const step = stepOf(s, req.query.step);
      const names = [...new Set(req.query.columns.split(',').map((n) => n.trim()))];
      if (names.some((n) => n === '')) throw new RequestError(400, 'request', '"columns" must be comma-separated column names');
      if (names.length > MAX_COLUMNS) throw new RequestError(400, 'request', `at most ${MAX_COLUMNS} columns per request`);
      const known = await ctx.models.get(ctx.db, s.projectId, s.model, s.version);
      if (!known) throw new RequestError(404, 'not_found', `no model version ${s.model}@${s.version}`);
      const unknown = names.filter((n) => !Object.hasOwn(known.columns, n));
      if (unknown.length)
        throw new RequestError(400, 'request', `${s.model}@${s.version} has no column ${unknown.map((n) => `"${n}"`).join(', ')}`);
      return { k, step, quantiles: STEP_QUANTILES, points: await summaryTimeline(ctx.db, ctx.core, k, s, step, names) };
    },
  );
}
