// Operations: liveness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';

export function opsRoutes(app: FastifyInstance, ctx: CollectorContext) {
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await ctx.db.query('select 1');
    return { ok: true };
  });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const token = ctx.options.metricsToken;
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      throw new RequestError(401, 'auth', 'metrics need Authorization: Bearer <metrics token>');
    }
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
