// Operations: liveness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';

export function opsRoutes(app: FastifyInstance, ctx: CollectorContext) {
  // Reachable database and, since the latest upload, working writes (write-health.ts). A
  // statement that succeeded within the last second proves the database answers: on a busy
  // PGlite, a probe of its own would wait behind every upload queued on its one connection.
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    if (!(Date.now() - (ctx.db.answeredAt?.() ?? 0) < 1000)) await ctx.db.query('select 1');
    const failing = ctx.writes.error;
    if (failing)
      return reply.status(503).send({ ok: false, error: `storage writes are failing: ${failing}`, reason: 'storage', permanent: false });
    return { ok: true };
  });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const token = ctx.options.metricsToken;
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      throw new RequestError(401, 'auth', 'metrics need Authorization: Bearer <metrics token>');
    }
    reply.header('content-type', ctx.metrics.registry.contentType);
    // The collector's own series carry no segment; the model series leave theirs out without a token.
    const own = await ctx.metrics.registry.metrics();
    return ctx.metrics.models ? `${own}\n${await ctx.metrics.models.text(Boolean(token))}` : own;
  });
}
