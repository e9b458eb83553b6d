// The helper's side of the secure mode. It serves its public key, takes the helper's share of each
// report from the leader (the 16-byte seed, after opening it with its private key), and on the
// leader's request releases, once per batch, the noisy sum of its shares of the listed reports
// that it holds. It never sees a device's cells, and its release alone is noise-protected.
import {
  expandSeed,
  openHelperShare,
  parseHelperReport,
  parseSecureBatch,
  SecureReportError,
  secureNoiseScale,
  noiseShare,
  sumShares,
} from 'edgewatch/secure';
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../context.ts';
import type { Core } from '../core.ts';
import { RequestError } from '../errors.ts';
import { batchKey } from './batch-key.ts';
import type { HelperKeys } from './helper-key.ts';
import { requirePeer } from './peer.ts';
import { batchShares, type Decision, decide, decision, insertReport, reportSetHash, storedShare } from './store.ts';

/** Report ids one aggregation request may list (a batch of more is refused, not cut). */
const MAX_REPORTS = 1_000_000;

export function helperRoutes(app: FastifyInstance, ctx: CollectorContext, keys: HelperKeys) {
  const peer = requirePeer(ctx.options.peerToken!);
  const grace = ctx.options.secureGraceMs;

  app.get(
    '/v1/hpke-config',
    { schema: { summary: "The helper's public key for sealing report shares", tags: ['secure'] } },
    async () => keys.key,
  );

  app.post('/v1/helper/reports', { preHandler: peer, schema: { hide: true } }, async (req, reply) => {
    const body = req.body as { project?: unknown; report?: unknown };
    const project = projectOf(body?.project);
    const report = refusing(() => parseHelperReport(body?.report));
    if (report.helperShare.keyId !== keys.key.id)
      throw new RequestError(400, 'report', `report: sealed to key ${report.helperShare.keyId}, not this helper's ${keys.key.id}`);
    const now = Date.now();
    if (report.batch.windowEnd + grace < now)
      throw new RequestError(409, 'batch_closed', 'batch closed: its window ended before the grace period');
    const k = batchKey(project, report.batch, report.layoutHash, report.params);
    if (await decision(ctx.db, k)) throw new RequestError(409, 'batch_closed', 'batch closed: its sum was already decided');
    const seed = await openHelperShare(keys.recipient, report).catch((err) => {
      throw err instanceof SecureReportError ? new RequestError(400, 'report', `report: ${err.message}`) : err;
    });
    if (!(await insertReport(ctx.db, k, report.reportId, report.cells, seed, now))) {
      // The leader sending a report again after a lost answer is the same seed: accepted again.
      const had = await storedShare(ctx.db, project, report.reportId);
      if (!had || !sameBytes(had, seed)) throw new RequestError(409, 'replay', 'replay: this report id was used by another report');
      return reply.status(200).send({ ok: true, duplicate: true });
    }
    return reply.status(201).send({ ok: true, duplicate: false });
  });

  app.post('/v1/helper/aggregate', { preHandler: peer, bodyLimit: 64 * 1024 * 1024, schema: { hide: true } }, async (req) => {
    const body = req.body as Record<string, unknown>;
    const project = projectOf(body?.project);
    const head = refusing(() => parseSecureBatch(body));
    const ids = body.reportIds;
    if (!Array.isArray(ids) || ids.length > MAX_REPORTS || ids.some((x) => typeof x !== 'string')) {
      throw new RequestError(400, 'request', `reportIds must be at most ${MAX_REPORTS} strings`);
    }
    const now = Date.now();
    // The leader decides when to close a batch once its window is over (after the grace period,
    // or earlier when an operator collects it); reports arriving later are refused as decided.
    if (head.batch.windowEnd > now) throw new RequestError(409, 'batch_open', 'batch still open: its window has not ended');
    const k = batchKey(project, head.batch, head.layoutHash, head.params);
    const set = await reportSetHash(ids as string[]);
    const earlier = await decision(ctx.db, k);
    if (earlier) return answerOf(earlier, set);
    const held = await batchShares(ctx.db, k, ids as string[]);
    const used = [...held.keys()];
    const missing = missingOf(ids as string[], held);
    // Fewer reports than k: nothing is released, now or later (the batch takes no more reports).
    if (used.length < ctx.options.kAnonymity) {
      const withheld = { state: 'withheld', reports: used.length, reportSet: set, missing, share: null } as const;
      return answerOf((await decide(ctx.db, k, withheld, now)) ? withheld : (await decision(ctx.db, k))!, set);
    }
    const sum = noiseShare(
      ctx.core,
      await sumSeeds(
        ctx.core,
        used.map((id) => held.get(id)!),
        head.cells,
      ),
      secureNoiseScale(head.params),
    );
    const released: Decision = { state: 'released', reports: used.length, reportSet: set, missing, share: new Uint8Array(sum.buffer) };
    return answerOf((await decide(ctx.db, k, released, now)) ? released : (await decision(ctx.db, k))!, set);
  });
}

/**
 * A decided batch answers the same for the same request (a leader that asks again after a lost
 * answer), and nothing for another set: two sums over different subsets of one batch would give
 * away their difference.
 */
function answerOf(d: Decision, set: string) {
  if (d.reportSet !== set) throw new RequestError(409, 'batch_closed', 'batch closed: already decided over another set of reports');
  if (d.state === 'withheld') return { released: false, reports: d.reports };
  return { released: true, reports: d.reports, missing: d.missing, share: Buffer.from(d.share!).toString('base64url') };
}

/** The sum of the masks the seeds expand to, a slice at a time (a batch can hold 10^5 reports). */
async function sumSeeds(core: Core, seeds: Uint8Array[], cells: number): Promise<BigUint64Array> {
  let acc: BigUint64Array = new BigUint64Array(cells);
  for (let i = 0; i < seeds.length; i += 256) {
    const masks = await Promise.all(seeds.slice(i, i + 256).map((s) => expandSeed(s, cells)));
    acc = sumShares(core, [acc, ...masks], cells);
  }
  return acc;
}

const missingOf = (ids: string[], held: Map<string, Uint8Array>) => ids.filter((id) => !held.has(id));

function projectOf(v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw new RequestError(400, 'request', 'project must be a positive integer');
  return v as number;
}

function refusing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SecureReportError) throw new RequestError(400, 'report', err.message);
    throw err;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}
