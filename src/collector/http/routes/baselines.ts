// Baselines and the private-mode grid derived from them.
//   PUT /v1/models/:model/versions/:version/baseline   admin key, binary profile
//   POST …/baseline/pin {from, to}                     admin key, a live range becomes the baseline
//   GET /v1/models/:model/versions/:version/grid       any key of the project, ingest included
//   GET /v1/grid/:model/:version                       the same, at the path the edge runtime uses
import type { FastifyInstance } from 'fastify';
import { baselinePinnedSchema, baselineSetSchema, gridSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { aggregate } from '../../read/aggregate.ts';
import { gridOf, loadBaseline, setBaseline } from '../../read/baselines.ts';
import { requireKey } from '../auth.ts';
import { versionParams } from '../schemas.ts';

export function baselineRoutes(app: FastifyInstance, ctx: CollectorContext) {
  app.put<{ Params: { model: string; version: string } }>(
    '/v1/models/:model/versions/:version/baseline',
    {
      bodyLimit: 64 * 1_048_576,
      preHandler: requireKey(ctx.keys, ['admin']),
      schema: {
        summary: 'Set the baseline profile of a model version (binary, from `edgewatch profile`)',
        tags: ['baselines'],
        params: versionParams,
        response: { 200: baselineSetSchema },
      },
    },
    async (req) => {
      if (!(req.body instanceof Buffer)) {
        throw new RequestError(415, 'content_type', 'send the profile as Content-Type: application/octet-stream');
      }
      const { model, version } = req.params;
      const r = await setBaseline(ctx.db, ctx.core, ctx.models, req.principal!.projectId, model, version, new Uint8Array(req.body));
      return { ok: true, columns: r.columns };
    },
  );

  app.post<{ Params: { model: string; version: string }; Body: { from: number; to: number } }>(
    '/v1/models/:model/versions/:version/baseline/pin',
    {
      preHandler: requireKey(ctx.keys, ['admin']),
      schema: {
        summary: 'Pin a live time range (window starts in [from, to)) as the baseline; k-anonymous like any read',
        tags: ['baselines'],
        params: versionParams,
        body: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } },
        },
        response: { 200: baselinePinnedSchema },
      },
    },
    async (req) => {
      const { model, version } = req.params;
      const { from, to } = req.body;
      if (from >= to) throw new RequestError(400, 'request', '"from" must be before "to"');
      const projectId = req.principal!.projectId;
      const agg = await aggregate(ctx.db, ctx.core, ctx.options.kAnonymity, { projectId, model, version, from, to });
      if (agg.suppressed) {
        throw new RequestError(422, 'k_anonymity', `the range holds fewer than k = ${ctx.options.kAnonymity} devices`);
      }
      try {
        // The merge carries the first upload's header (its device id among others): blank it.
        for (const key of Object.keys(agg.profile.meta)) agg.profile.setMeta(key, '');
        agg.profile.meta = { pinnedFrom: String(from), pinnedTo: String(to) };
        const bytes = agg.profile.toBytes();
        const r = await setBaseline(ctx.db, ctx.core, ctx.models, projectId, model, version, bytes);
        return { ok: true, columns: r.columns, devices: agg.devices, rows: agg.rows };
      } finally {
        agg.profile.dispose();
      }
    },
  );

  const gridRoute = (path: string, hide: boolean) =>
    app.get<{ Params: { model: string; version: string } }>(
      path,
      {
        preHandler: requireKey(ctx.keys, ['ingest', 'read', 'admin']),
        schema: {
          hide,
          summary: "The private-mode grid derived from the version's baseline: per column {edges} or {vocabulary}",
          tags: ['baselines'],
          params: versionParams,
          querystring: { type: 'object', properties: { key: { type: 'string' } } },
          response: { 200: gridSchema },
        },
      },
      async (req) => {
        const { model, version } = req.params;
        const baseline = await loadBaseline(ctx.db, ctx.core, req.principal!.projectId, model, version);
        if (!baseline) throw new RequestError(404, 'no_baseline', `no baseline for ${model}@${version}`);
        try {
          return { model, version, columns: gridOf(baseline, ctx.options.gridBins) };
        } finally {
          baseline.dispose();
        }
      },
    );
  gridRoute('/v1/models/:model/versions/:version/grid', false);
  gridRoute('/v1/grid/:model/:version', true);
}
