// Baselines and the private-mode grid derived from them.
//   PUT /v1/models/:model/versions/:version/baseline   admin key, binary profile
//   GET /v1/models/:model/versions/:version/grid       any key of the project, ingest included
//   GET /v1/grid/:model/:version                       the same, at the path the edge runtime uses
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../ingest/errors.ts';
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
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, columns: { type: 'array', items: { type: 'string' } } } } },
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

  const gridRoute = (path: string, hide: boolean) => app.get<{ Params: { model: string; version: string } }>(
    path,
    {
      preHandler: requireKey(ctx.keys, ['ingest', 'read', 'admin']),
      schema: {
        hide,
        summary: "The private-mode grid derived from the version's baseline: per column {edges} or {vocabulary}",
        tags: ['baselines'],
        params: versionParams,
        querystring: { type: 'object', properties: { key: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              model: { type: 'string' },
              version: { type: 'string' },
              columns: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  properties: { edges: { type: 'array', items: { type: 'number' } }, vocabulary: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
          },
        },
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
