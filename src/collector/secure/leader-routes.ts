// POST /v1/secure/reports, the leader's side of the secure mode: a device's report, checked, its
// helper share forwarded to the helper, and the leader's share stored only once the helper holds
// its own. A report is acknowledged when both aggregators hold their share of it; one that is
// malformed, truncated, replayed, late, for another batch or sealed to another key changes nothing.
import { cellVector, layoutMeta, parseSecureReport, type ReceivedReport, SecureReportError, sha256Hex } from 'edgewatch/secure';
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../context.ts';
import { RequestError } from '../errors.ts';
import { requireKey } from '../http/auth.ts';
import { batchKey } from './batch-key.ts';
import { collectWindow } from './collect.ts';
import { callHelper, helperRefusal } from './peer.ts';
import { decision, insertReport, storedShare } from './store.ts';

const SECOND = 1_000;
const DAY = 86_400_000;

export function leaderRoutes(app: FastifyInstance, ctx: CollectorContext) {
  const o = ctx.options;
  // Layouts already checked and stored, with the batch header they were checked against: every
  // report of a batch carries the same one, so it is decoded and written once, not per report.
  const layouts = new Set<string>();
  app.post(
    '/v1/secure/reports',
    {
      bodyLimit: o.maxPayloadBytes,
      preHandler: requireKey(ctx.keys, ['ingest']),
      schema: { summary: 'Upload one secure-mode report (two shares of a window)', tags: ['ingest', 'secure'] },
    },
    async (req, reply) => {
      const principal = req.principal!;
      const origin = req.headers.origin;
      if (origin && principal.origins.length > 0 && !principal.origins.includes(origin)) {
        throw new RequestError(403, 'origin', `origin ${origin} is not allowed for this key`);
      }
      let report: ReceivedReport;
      try {
        report = parseSecureReport(req.body);
      } catch (err) {
        if (err instanceof SecureReportError) throw new RequestError(400, 'report', err.message);
        throw err;
      }
      const now = Date.now();
      checkWindow(report, now, o);
      const known = await ctx.models.get(ctx.db, principal.projectId, report.batch.model, report.batch.version);
      if (!known) {
        throw new RequestError(
          422,
          'unknown_model',
          `unknown model ${report.batch.model}@${report.batch.version}: the secure mode records on its baseline's grid`,
        );
      }
      if ((await sha256Hex(report.layoutBytes)) !== report.layoutHash) {
        throw new RequestError(400, 'report', 'report: "layout" does not match "layoutHash"');
      }
      const layoutKey = JSON.stringify([report.layoutHash, report.cells, layoutMeta(report.batch, report.params)]);
      const newLayout = !layouts.has(layoutKey);
      if (newLayout) checkLayout(ctx, report);
      const k = batchKey(principal.projectId, report.batch, report.layoutHash, report.params);
      if (await decision(ctx.db, k)) throw new RequestError(409, 'batch_closed', 'batch closed: its sum was already decided');
      if (await storedShare(ctx.db, principal.projectId, report.reportId))
        throw new RequestError(409, 'replay', 'replay: this report was received before');
      const { layout, leaderShare, leaderWords, layoutBytes, ...forHelper } = report;
      const answer = await callHelper(o.helperUrl!, o.peerToken!, '/v1/helper/reports', {
        project: principal.projectId,
        report: forHelper,
      });
      if (answer.status !== 200 && answer.status !== 201) throw helperRefusal(answer);
      if (newLayout) {
        await ctx.db.query('insert into secure_layouts (layout_hash, layout) values ($1, $2) on conflict do nothing', [
          report.layoutHash,
          layoutBytes,
        ]);
        if (layouts.size >= 10_000) layouts.clear();
        layouts.add(layoutKey);
      }
      const share = new Uint8Array(leaderWords.buffer, leaderWords.byteOffset, leaderWords.byteLength);
      if (!(await insertReport(ctx.db, k, report.reportId, report.cells, share, now))) {
        throw new RequestError(409, 'replay', 'replay: this report was received before');
      }
      ctx.metrics.ingested.inc({ result: 'secure' });
      return reply.status(201).send({ ok: true, reportId: report.reportId });
    },
  );
}

/** POST /v1/secure/collect: an admin closes an ended window now and has its batches decided. */
export function collectRoute(app: FastifyInstance, ctx: CollectorContext) {
  app.post<{ Body: { model: string; version: string; windowStart: number; windowEnd: number } }>(
    '/v1/secure/collect',
    {
      preHandler: requireKey(ctx.keys, ['admin']),
      schema: {
        summary: "Release (or withhold) an ended window's secure batches now, before their grace period is over",
        tags: ['secure'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['model', 'version', 'windowStart', 'windowEnd'],
          properties: {
            model: { type: 'string' },
            version: { type: 'string' },
            windowStart: { type: 'integer', minimum: 0 },
            windowEnd: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (req) => {
      const { model, version, windowStart, windowEnd } = req.body;
      if (windowEnd > Date.now()) throw new RequestError(409, 'batch_open', 'the window has not ended');
      return collectWindow(ctx, req.principal!.projectId, model, version, windowStart, windowEnd);
    },
  );
}

/**
 * A batch is one aligned window, so batches never overlap and no two releases can be differenced;
 * its reports arrive until the grace period after its end.
 */
function checkWindow(r: ReceivedReport, now: number, o: CollectorContext['options']): void {
  const { windowStart: start, windowEnd: end } = r.batch;
  const span = end - start;
  if (span < SECOND || span > DAY || start % span !== 0) {
    throw new RequestError(422, 'window', 'window: a secure batch is a whole window of one second to one day, aligned to its length');
  }
  if (start > now + o.maxFutureMs)
    throw new RequestError(422, 'clock', "clock: the window starts after the collector's now; correct the device clock by the Date header");
  if (start < now - o.maxAgeMs) throw new RequestError(422, 'window', 'window: starts too far in the past');
  if (end + o.secureGraceMs < now) throw new RequestError(409, 'batch_closed', 'batch closed: its window ended before the grace period');
}

/**
 * The layout is what the release will be read as: it must be the hash the helper's share is
 * bound to (checked by the caller), decode, have the report's cell count, hold no data and say
 * no more than the batch.
 */
function checkLayout(ctx: CollectorContext, r: ReceivedReport): void {
  let p: ReturnType<typeof ctx.core.profileFromBytes>;
  try {
    p = ctx.core.profileFromBytes(r.layoutBytes);
  } catch (err) {
    throw new RequestError(400, 'report', `report: "layout" does not decode (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    let cells: BigInt64Array;
    try {
      cells = cellVector(p);
    } catch (err) {
      throw new RequestError(400, 'report', `report: "layout" ${(err as Error).message.split('\n')[0]}`);
    }
    if (cells.length !== r.cells)
      throw new RequestError(400, 'report', `report: the layout has ${cells.length} cells, the report ${r.cells}`);
    if (cells.some((c) => c !== 0n)) throw new RequestError(400, 'report', 'report: the layout carries counts');
    const want = layoutMeta(r.batch, r.params);
    const meta = p.meta;
    const keys = Object.keys(meta);
    if (keys.length !== Object.keys(want).length || keys.some((key) => meta[key] !== want[key])) {
      throw new RequestError(400, 'report', "report: the layout's header is not the report's batch and parameters");
    }
  } finally {
    p.dispose();
  }
}
