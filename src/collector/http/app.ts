// The collector's HTTP face: fastify with JSON schemas on every JSON route (the OpenAPI document
// at /v1/openapi.json is generated from them), a raw binary parser for ingest, CORS, and one
// error shape for every refusal: {error: "<one line>", reason: "<label>"}.
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { CollectorContext } from '../context.ts';
import { RequestError } from '../errors.ts';
import { alertRoutes } from './routes/alerts.ts';
import { baselineRoutes } from './routes/baselines.ts';
import { canaryRoutes } from './routes/canary.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { opsRoutes } from './routes/ops.ts';
import { readRoutes } from './routes/read.ts';
import { reportRoutes } from './routes/report.ts';
import { segmentRankingRoutes } from './routes/segment-ranking.ts';
import { sloRoutes } from './routes/slos.ts';
import { performanceRoutes } from './routes/performance.ts';
import { summaryRoutes } from './routes/summaries.ts';

const FASTIFY_REASONS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'content_type',
  FST_ERR_CTP_EMPTY_BODY: 'decode',
  FST_ERR_VALIDATION: 'validation',
};

export async function buildApp(ctx: CollectorContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1_048_576,
    // Finish in-flight requests on close, refuse new ones.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'edgewatch collector', version: '1' },
      components: { securitySchemes: { key: { type: 'http', scheme: 'bearer' } } },
      security: [{ key: [] }],
    },
  });
  // Keys are bearer tokens, not cookies, so any origin may call; an ingest key's allowed
  // origins are enforced on the upload itself.
  // Retry-After is exposed so browsers can honour it on a throttled or failing ingest.
  await app.register(cors, { origin: true, methods: ['GET', 'POST', 'PUT', 'DELETE'], maxAge: 86_400, exposedHeaders: ['retry-after'] });

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | RequestError, req, reply) => {
    const status = err instanceof RequestError ? err.status : (err.statusCode ?? 500);
    const reason = err instanceof RequestError ? err.reason : (FASTIFY_REASONS[err.code] ?? (status >= 500 ? 'internal' : 'request'));
    if (req.routeOptions.url === '/v1/ingest') ctx.metrics.rejected.inc({ reason });
    if (status === 429 && err instanceof RequestError) {
      const retry = /retry in (\d+)s/.exec(err.message)?.[1];
      if (retry) reply.header('retry-after', retry);
    }
    const message = status >= 500 && !(err instanceof RequestError) ? 'internal error' : err.message.split('\n')[0];
    if (status >= 500) console.error(err);
    reply.status(status).send({ error: message, reason });
  });

  ingestRoutes(app, ctx);
  baselineRoutes(app, ctx);
  readRoutes(app, ctx);
  performanceRoutes(app, ctx);
  summaryRoutes(app, ctx);
  alertRoutes(app, ctx);
  incidentRoutes(app, ctx);
  canaryRoutes(app, ctx);
  segmentRankingRoutes(app, ctx);
  sloRoutes(app, ctx);
  reportRoutes(app, ctx);
  opsRoutes(app, ctx);
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
