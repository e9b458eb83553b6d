// The collector's HTTP face: fastify with JSON schemas on every JSON route (the OpenAPI document
// at /v1/openapi.json is generated from them), a raw binary parser for ingest, CORS, and one
// error shape for every refusal: {error: "<one line>", reason: "<label>", permanent: <bool>}.
// `permanent` tells a device whether sending the same bytes again can ever succeed: a payload
// that does not decode or fit the schema never will; a device clock ahead (`clock`), a rate
// limit, a version limit or a server error may pass later.
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

const PERMANENT = new Set([
  'decode',
  'too_large',
  'too_wide',
  'content_type',
  'header',
  'window',
  'schema',
  'validation',
  'request',
  'report',
  'replay',
  'batch_closed',
]);

const FASTIFY_REASONS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'content_type',
  FST_ERR_CTP_EMPTY_BODY: 'decode',
  FST_ERR_VALIDATION: 'validation',
};

export async function buildApp(ctx: CollectorContext): Promise<FastifyInstance> {
  const o = ctx.options;
  // Node checks these on a timer; a short period keeps a slow sender from holding a socket much
  // past its timeout. Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = o.requestTimeoutMs > 0 ? Math.min(o.headersTimeoutMs, o.requestTimeoutMs) : o.headersTimeoutMs;
  const app = Fastify({
    logger: false,
    bodyLimit: 1_048_576,
    trustProxy: o.trustProxy,
    requestTimeout: o.requestTimeoutMs,
    connectionTimeout: o.idleTimeoutMs,
    // Keep-alive may not outlast the idle timeout: clients trust the advertised Keep-Alive
    // timeout, and a socket cut before it fails their next request.
    ...(o.idleTimeoutMs > 0 ? { keepAliveTimeout: o.idleTimeoutMs } : {}),
    http: {
      headersTimeout,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, headersTimeout || 1000, o.requestTimeoutMs || 1000)),
    },
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
  // Retry-After is exposed so browsers can honour it on a throttled or failing ingest, Date so
  // devices can correct their windows with the collector's clock.
  await app.register(cors, {
    origin: true,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    maxAge: 86_400,
    exposedHeaders: ['retry-after', 'date'],
  });

  // The idle timeout is for silent senders: once a request has arrived whole (preValidation
  // runs after its body is read), the silence is ours while the handler waits (for a merge
  // thread, a round, the database), so it stops counting until the answer has been sent.
  if (o.idleTimeoutMs > 0) {
    // Injected requests (app.inject) have a stand-in socket without timeouts.
    app.addHook('preValidation', async (req) => {
      const socket = req.raw.socket;
      if (typeof socket?.setTimeout === 'function') socket.setTimeout(0);
    });
    app.addHook('onResponse', async (req) => {
      const socket = req.raw.socket;
      if (typeof socket?.setTimeout === 'function' && !socket.destroyed) socket.setTimeout(o.idleTimeoutMs);
    });
  }

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
    reply.status(status).send({ error: message, reason, permanent: status < 500 && PERMANENT.has(reason) });
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
