// The JSON read API (read and admin keys): models, merged profiles, drift over time, segments.
// All of it passes through read/aggregate.ts, which enforces k-anonymity.
import type { FastifyInstance } from 'fastify';
import type { ColumnSummary } from 'edgewatch';
import { driftSchema, modelsSchema, profileSchema, segmentsSchema } from 'edgewatch/read-api';
import { driftOptions } from '../../config.ts';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { aggregate, suppressedCounts, type Selection } from '../../read/aggregate.ts';
import { loadBaseline } from '../../read/baselines.ts';
import { driftTimeline } from '../../read/drift.ts';
import { sumError } from '../../read/performance.ts';
import { HOUR } from '../../read/rollup.ts';
import { listSegments, VERSION_DEVICES, VERSION_FIRST, VERSION_LAST } from '../../read/segments.ts';
import { requireKey } from '../auth.ts';
import { rangeQuery, versionParams } from '../schemas.ts';

export type RangeQ = { from?: number; to?: number; segment?: string; step?: number };
export type VersionP = { model: string; version: string };

/** Steps per timeline read, at most: each step is a merge (and a compare). */
const MAX_STEPS = 2_000;

/** The step of a timeline read (default 1 h), refused when it cuts the range into too many. */
export function stepOf(s: { from: number; to: number }, step = HOUR): number {
  if ((s.to - s.from) / step > MAX_STEPS) throw new RequestError(400, 'request', `more than ${MAX_STEPS} steps: widen "step"`);
  return step;
}

export function selection(projectId: number, p: VersionP, q: RangeQ, defaultSpan: number): Selection {
  const to = q.to ?? Date.now();
  const from = q.from ?? to - defaultSpan;
  if (from >= to) throw new RequestError(400, 'request', '"from" must be before "to"');
  let segment: Record<string, string> | undefined;
  if (q.segment) {
    try {
      segment = JSON.parse(q.segment);
    } catch {
      throw new RequestError(400, 'request', '"segment" must be a JSON object of strings');
    }
    if (
      typeof segment !== 'object' ||
      segment === null ||
      Array.isArray(segment) ||
      Object.values(segment).some((v) => typeof v !== 'string')
    ) {
      throw new RequestError(400, 'request', '"segment" must be a JSON object of strings');
    }
  }
  return { projectId, model: p.model, version: p.version, from, to, segment };
}

export function readRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const reader = requireKey(ctx.keys, ['read', 'admin']);
  const k = ctx.options.kAnonymity;

  app.get(
    '/v1/models',
    {
      preHandler: reader,
      schema: {
        summary: 'Model versions of the project, with freshness and devices (k-anonymous)',
        tags: ['read'],
        response: { 200: modelsSchema },
      },
    },
    async (req) => {
      const rows = await ctx.db.query<Record<string, unknown>>(
        `select m.model, m.version, m.columns, (b.model is not null) as baseline,
                ${VERSION_DEVICES} as devices,
                ${VERSION_LAST} as last,
                ${VERSION_FIRST} as first
         from models m left join baselines b
           on b.project_id = m.project_id and b.model = m.model and b.version = m.version
         where m.project_id = $1 order by m.model, m.version`,
        [req.principal!.projectId],
      );
      return {
        k,
        models: rows.map((r) => {
          const shown = (r.devices as number) >= k;
          return {
            model: r.model,
            version: r.version,
            columns: r.columns,
            baseline: r.baseline,
            devices: shown ? r.devices : null,
            lastUploadAt: shown ? r.last : null,
            firstWindowAt: shown && r.first !== null ? Number(r.first) : null,
          };
        }),
      };
    },
  );

  app.get<{ Params: VersionP; Querystring: RangeQ }>(
    '/v1/models/:model/versions/:version/profile',
    {
      preHandler: reader,
      schema: {
        summary: 'Merged column summaries for a time range (default: the last hour), with the baseline',
        tags: ['read'],
        params: versionParams,
        querystring: rangeQuery,
        response: { 200: profileSchema },
      },
    },
    async (req) => {
      const s = selection(req.principal!.projectId, req.params, req.query, HOUR);
      const agg = await aggregate(ctx.db, ctx.core, k, s);
      const range = { from: s.from, to: s.to, k };
      if (agg.suppressed) return { ...range, suppressed: true, ...suppressedCounts(agg) };
      const head = { ...range, devices: agg.devices, uploads: agg.uploads, rows: agg.rows };
      const baseline = await loadBaseline(ctx.db, ctx.core, s.projectId, s.model, s.version);
      try {
        const summaries = (p: typeof agg.profile) => {
          const out: Record<string, ColumnSummary> = Object.create(null);
          for (const name of p.columnNames) out[name] = p.summary(name);
          return out;
        };
        const noisyUploads = Object.values(agg.noise).reduce((a, b) => a + b, 0);
        return {
          ...head,
          suppressed: false,
          layouts: agg.layouts,
          columns: summaries(agg.profile),
          baseline: baseline ? summaries(baseline) : null,
          // Private-mode aggregates: the noise behind every count, for error bars.
          ...(noisyUploads > 0 ? { privacy: { noisyUploads, noiseScales: agg.noise, cellError: sumError(ctx.core, agg.noise) } } : {}),
        };
      } finally {
        agg.profile.dispose();
        baseline?.dispose();
      }
    },
  );

  app.get<{ Params: VersionP; Querystring: RangeQ }>(
    '/v1/models/:model/versions/:version/drift',
    {
      preHandler: reader,
      schema: {
        summary: 'Drift against the baseline per step (default: the last 24 h in 1 h steps)',
        tags: ['read'],
        params: versionParams,
        querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, step: { type: 'integer', minimum: 60_000 } } },
        response: { 200: driftSchema },
      },
    },
    async (req) => {
      const s = selection(req.principal!.projectId, req.params, req.query, 24 * HOUR);
      const step = stepOf(s, req.query.step);
      const baseline = await loadBaseline(ctx.db, ctx.core, s.projectId, s.model, s.version);
      if (!baseline) throw new RequestError(404, 'no_baseline', `no baseline for ${s.model}@${s.version}`);
      try {
        return { k, step, points: await driftTimeline(ctx.db, ctx.core, k, baseline, s, step, driftOptions(ctx.options)) };
      } finally {
        baseline.dispose();
      }
    },
  );

  app.get<{ Params: VersionP; Querystring: RangeQ }>(
    '/v1/models/:model/versions/:version/segments',
    {
      preHandler: reader,
      schema: {
        summary: 'Segments seen in a time range (default: the last 24 h), each with at least k devices, and their freshness',
        tags: ['read'],
        params: versionParams,
        querystring: rangeQuery,
        response: { 200: segmentsSchema },
      },
    },
    async (req) => {
      const s = selection(req.principal!.projectId, req.params, req.query, 24 * HOUR);
      const rows = await listSegments(ctx.db, k, s);
      return { k, segments: rows };
    },
  );
}
