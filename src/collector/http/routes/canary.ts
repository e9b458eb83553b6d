// Version metadata (owner, criticality, training snapshot, feature schema version, rollback
// target), the canary comparison of two versions with its verdict — the route an automated
// rollout polls — and canary watches that send the verdict to a webhook when it changes.
import type { FastifyInstance } from 'fastify';
import { canarySchema, canaryWatchSchema, okSchema } from 'edgewatch/read-api';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { parseEvalWindows, SPAN_PATTERN } from '../../eval-windows.ts';
import { compareVersions } from '../../read/canary.ts';
import { HOUR } from '../../read/rollup.ts';
import { loadMetadata, metadataSchema, saveMetadata, type VersionMetadata } from '../../read/version-metadata.ts';
import { requireKey } from '../auth.ts';
import { rangeQuery, versionParams } from '../schemas.ts';
import { selection, type RangeQ, type VersionP } from './read.ts';

export function canaryRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  const admin = requireKey(ctx.keys, ['admin']);
  const where = (projectId: number, p: VersionP) => ({ projectId, model: p.model, version: p.version });
  /** The peer: `against`, else the version's rollback target; a clear 400 without either. */
  const peerOf = async (projectId: number, p: VersionP, against?: string) => {
    const peer = against ?? (await loadMetadata(ctx.db, where(projectId, p))).rollbackTarget;
    if (!peer)
      throw new RequestError(
        400,
        'request',
        `no version to compare ${p.model}@${p.version} with: give "against" or set its rollbackTarget`,
      );
    if (peer === p.version) throw new RequestError(400, 'request', 'a version cannot be compared with itself');
    return peer;
  };

  app.put<{ Params: VersionP; Body: VersionMetadata }>(
    '/v1/models/:model/versions/:version/metadata',
    {
      preHandler: admin,
      schema: {
        summary: "Set a version's owner, criticality, training snapshot, schema version and rollback target",
        tags: ['versions'],
        params: versionParams,
        body: metadataSchema,
        response: { 200: metadataSchema },
      },
    },
    async (req) => {
      const w = where(req.principal!.projectId, req.params);
      if (req.body.rollbackTarget === req.params.version)
        throw new RequestError(400, 'request', 'a version cannot be its own rollback target');
      await saveMetadata(ctx.db, w, req.body, Date.now());
      return loadMetadata(ctx.db, w);
    },
  );

  app.get<{ Params: VersionP }>(
    '/v1/models/:model/versions/:version/metadata',
    {
      preHandler: reader,
      schema: {
        summary: "A version's metadata (every field null when unset)",
        tags: ['versions'],
        params: versionParams,
        response: { 200: metadataSchema },
      },
    },
    async (req) => loadMetadata(ctx.db, where(req.principal!.projectId, req.params)),
  );

  app.get<{ Params: VersionP; Querystring: RangeQ & { against?: string } }>(
    '/v1/models/:model/versions/:version/canary',
    {
      preHandler: reader,
      schema: {
        summary:
          'Compare this version with another (default: its rollback target) over the same range and segment: per-column drift, latency, failures, accuracy and a promote | hold | rollback verdict (default range: the last hour)',
        tags: ['versions'],
        params: versionParams,
        querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, against: { type: 'string', minLength: 1, maxLength: 128 } } },
        response: { 200: canarySchema },
      },
    },
    async (req) => {
      const projectId = req.principal!.projectId;
      const s = selection(projectId, req.params, req.query, HOUR);
      const stable = await peerOf(projectId, req.params, req.query.against);
      return compareVersions(ctx.db, ctx.core, ctx.options, {
        projectId,
        model: s.model,
        canary: s.version,
        stable,
        from: s.from,
        to: s.to,
        segment: s.segment,
      });
    },
  );

  const windows = parseEvalWindows(ctx.options.evalWindows).map((w) => w.name);
  app.put<{ Params: VersionP; Body: { against?: string; window?: string; webhookUrl: string } }>(
    '/v1/models/:model/versions/:version/canary/watch',
    {
      preHandler: admin,
      schema: {
        summary: 'Compare this version with another every alert round and send the verdict to a webhook when it changes',
        tags: ['versions'],
        params: versionParams,
        body: {
          type: 'object',
          required: ['webhookUrl'],
          additionalProperties: false,
          properties: {
            against: { type: 'string', minLength: 1, maxLength: 128 },
            window: { type: 'string', pattern: SPAN_PATTERN },
            webhookUrl: { type: 'string', pattern: '^https?://', maxLength: 2048 },
          },
        },
        response: { 200: canaryWatchSchema },
      },
    },
    async (req) => {
      const projectId = req.principal!.projectId;
      const against = await peerOf(projectId, req.params, req.body.against);
      const window = req.body.window ?? windows[0];
      await ctx.db.query(
        `insert into canary_watches (project_id, model, version, against, window_name, webhook_url) values ($1, $2, $3, $4, $5, $6)
       on conflict (project_id, model, version) do update set against = excluded.against, window_name = excluded.window_name,
         webhook_url = excluded.webhook_url, verdict = null, changed_at = null`,
        [projectId, req.params.model, req.params.version, against, window, req.body.webhookUrl],
      );
      return { ok: true, against, window };
    },
  );

  app.delete<{ Params: VersionP }>(
    '/v1/models/:model/versions/:version/canary/watch',
    {
      preHandler: admin,
      schema: { summary: 'Stop watching this version', tags: ['versions'], params: versionParams, response: { 200: okSchema } },
    },
    async (req) => {
      const rows = await ctx.db.query(
        'delete from canary_watches where project_id = $1 and model = $2 and version = $3 returning version',
        [req.principal!.projectId, req.params.model, req.params.version],
      );
      if (rows.length === 0) throw new RequestError(404, 'not_found', `no canary watch on ${req.params.model}@${req.params.version}`);
      return { ok: true };
    },
  );
}
