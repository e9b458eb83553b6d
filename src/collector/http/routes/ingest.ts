// POST /v1/ingest: one window's binary payload from a device.
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../../context.ts';
import { RequestError } from '../../errors.ts';
import { UploadBatcher } from '../../ingest/batcher.ts';
import { ingest } from '../../ingest/ingest.ts';
import { requireKey } from '../auth.ts';
import { MinuteLimiter, NewDeviceLimiter } from '../rate-limit.ts';

export function ingestRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const perKey = new MinuteLimiter(ctx.options.rateLimitPerKey);
  const perDevice = new MinuteLimiter(ctx.options.rateLimitPerDevice);
  const refusedPerAddress = new MinuteLimiter(ctx.options.rateLimitRefusedPerAddress);
  const newDevices = new NewDeviceLimiter(ctx.options.rateLimitNewDevicesPerAddress);
  const ingestCtx = {
    db: ctx.db,
    // PGlite has one connection (on a thread of its own); PostgreSQL takes a few inserts in flight
    // from each process.
    uploads: ctx.db.kind === 'postgres' ? new UploadBatcher(ctx.db, 4) : new UploadBatcher(ctx.db, 1, 256, true),
    core: ctx.core,
    models: ctx.models,
    autoRegister: ctx.options.autoRegister,
    maxFutureMs: ctx.options.maxFutureMs,
    maxAgeMs: ctx.options.maxAgeMs,
    maxVersionsPerProject: ctx.options.maxVersionsPerProject,
    maxColumns: ctx.options.maxColumns,
    kMinRows: ctx.options.kMinRows,
  };

  app.post(
    '/v1/ingest',
    {
      bodyLimit: ctx.options.maxPayloadBytes,
      preHandler: requireKey(ctx.keys, ['ingest']),
      schema: {
        summary: 'Upload one window of sketches (the core binary payload)',
        tags: ['ingest'],
        querystring: { type: 'object', properties: { key: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: { ok: { type: 'boolean' }, uploadId: { type: 'string' }, duplicate: { type: 'boolean' } },
          },
        },
      },
    },
    async (req) => {
      const principal = req.principal!;
      const origin = req.headers.origin;
      if (origin && principal.origins.length > 0 && !principal.origins.includes(origin)) {
        throw new RequestError(403, 'origin', `origin ${origin} is not allowed for this key`);
      }
      const address = req.ip;
      const refusing = refusedPerAddress.peek(address);
      if (refusing > 0)
        throw new RequestError(429, 'rate_limit', `rate limit: too many refused uploads from this address, retry in ${refusing}s`);
      const key = String(principal.keyId);
      const wait = perKey.peek(key);
      if (wait > 0) throw new RequestError(429, 'rate_limit', `rate limit: key over its uploads per minute, retry in ${wait}s`);
      if (!(req.body instanceof Buffer)) {
        refusedPerAddress.take(address);
        throw new RequestError(415, 'content_type', 'send the payload as Content-Type: application/octet-stream');
      }
      ctx.metrics.inFlight.inc();
      const end = ctx.metrics.ingestSeconds.startTimer();
      try {
        const admitDevice = (deviceId: string) => newDevices.take(address, deviceId) || perDevice.take(deviceId);
        const bytes = new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength);
        const r = await ingest({ ...ingestCtx, admitDevice }, principal.projectId, bytes).catch((err) => {
          // A refusal the client caused spends its address's budget, not the key's.
          if (err instanceof RequestError && err.status >= 400 && err.status < 500 && err.status !== 429) refusedPerAddress.take(address);
          if (!(err instanceof RequestError)) ctx.writes.failed(err);
          throw err;
        });
        ctx.writes.ok();
        perKey.take(key);
        ctx.metrics.ingested.inc({ result: r.duplicate ? 'duplicate' : 'accepted' });
        if (!r.duplicate && r.header.dropped > 0) ctx.metrics.droppedWindows.inc(r.header.dropped);
        return { ok: true, uploadId: r.uploadId, duplicate: r.duplicate };
      } finally {
        end();
        ctx.metrics.inFlight.dec();
      }
    },
  );
}
