// The leader's release round: every batch whose window ended a grace period ago is decided once.
// With fewer than k reports it is withheld. Otherwise the helper returns its noisy sum over the
// reports both hold, the leader adds its own noisy sum of the same reports, and the combined
// cells, written into the batch's layout, are stored as one upload standing for that many
// reports: every read, rollup, alert and error bar then treats it like private-mode data.
import { combineShares, layoutMeta, noiseShare, secureNoiseScale, setCells, sha256Hex, sumShares } from 'edgewatch/secure';
import type { CollectorContext } from '../context.ts';
import { uploadFacts } from '../ingest/upload-facts.ts';
import { batchOf, type BatchKey, keyParams, paramsOf } from './batch-key.ts';
import { AGGREGATE_TIMEOUT_MS, callHelper, helperRefusal } from './peer.ts';
import { batchReports, batchShares, decide, dueBatches, reportSetHash } from './store.ts';

interface HelperAggregate {
  released: boolean;
  reports: number;
  missing?: string[];
  share?: string;
}

/** Shares read and summed at a time. */
const PAGE = 2_000;

const words = (b: Uint8Array) => new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/** Batches decided per round: the rest wait for the next. */
const PER_ROUND = 50;

export type RoundResult = { released: number; withheld: number; failed: number };

export async function collectRound(ctx: CollectorContext, now = Date.now()): Promise<RoundResult> {
  return decideAll(ctx, await dueBatches(ctx.db, now - ctx.options.secureGraceMs, PER_ROUND), now);
}

/**
 * Decides a model version's batches of one ended window now, before their grace period is over
 * (POST /v1/secure/collect): the operator closes the window, and later reports are refused.
 */
export async function collectWindow(
  ctx: CollectorContext,
  projectId: number,
  model: string,
  version: string,
  windowStart: number,
  windowEnd: number,
  now = Date.now(),
): Promise<RoundResult> {
  const due = (await dueBatches(ctx.db, windowEnd, Number.MAX_SAFE_INTEGER)).filter(
    (k) =>
      k.projectId === projectId && k.model === model && k.version === version && k.windowStart === windowStart && k.windowEnd === windowEnd,
  );
  return decideAll(ctx, due, now);
}

async function decideAll(ctx: CollectorContext, due: BatchKey[], now: number): Promise<RoundResult> {
  const out = { released: 0, withheld: 0, failed: 0 };
  for (const k of due) {
    try {
      out[(await collectBatch(ctx, k, now)) ? 'released' : 'withheld']++;
    } catch (err) {
      // One batch the helper refuses or that fails here waits for the next round; others go on.
      out.failed++;
      console.error(`edgewatch secure: batch ${k.model}@${k.version} ${new Date(k.windowStart).toISOString()}: ${(err as Error).message}`);
    }
  }
  return out;
}

async function collectBatch(ctx: CollectorContext, k: BatchKey, now: number): Promise<boolean> {
  const o = ctx.options;
  const { ids, cells } = await batchReports(ctx.db, k);
  // Below k the helper withholds the batch too, and both drop its shares.
  const params = paramsOf(k);
  const answer = await callHelper<HelperAggregate>(
    o.helperUrl!,
    o.peerToken!,
    '/v1/helper/aggregate',
    {
      project: k.projectId,
      batch: batchOf(k),
      params,
      cells,
      layoutHash: k.layoutHash,
      reportIds: ids,
    },
    AGGREGATE_TIMEOUT_MS,
  );
  if (answer.status !== 200) throw helperRefusal(answer);
  const agg = answer.body as HelperAggregate;
  const missing = new Set(agg.missing ?? []);
  const used = ids.filter((id) => !missing.has(id));
  const set = await reportSetHash(ids);
  if (!agg.released || !agg.share) {
    await decide(ctx.db, k, { state: 'withheld', reports: agg.reports, reportSet: set, missing: [...missing], share: null }, now);
    return false;
  }
  if (agg.reports !== used.length) throw new Error(`the helper summed ${agg.reports} reports, the leader holds ${used.length} of them`);
  const b = secureNoiseScale(params);
  // A page of shares at a time: a batch of 10^5 reports of 300 cells is 240 MB of shares.
  let sum: BigUint64Array = new BigUint64Array(cells);
  for (let i = 0; i < used.length; i += PAGE) {
    const page = await batchShares(ctx.db, k, used.slice(i, i + PAGE));
    sum = sumShares(ctx.core, [sum, ...[...page.values()].map(words)], cells);
  }
  const mine = noiseShare(ctx.core, sum, b);
  const theirs = words(Buffer.from(agg.share, 'base64url'));
  if (theirs.length !== cells) throw new Error(`the helper's sum has ${theirs.length} cells, not ${cells}`);
  const payload = await releasePayload(ctx, k, combineShares(ctx.core, mine, theirs), used.length);
  const facts = uploadFacts(ctx.core, payload);
  if ('refused' in facts) throw new Error(`the release does not decode: ${facts.refused}`);
  const id = `secure-${(await sha256Hex(new TextEncoder().encode(JSON.stringify(keyParams(k))))).slice(0, 32)}`;
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `insert into uploads (project_id, upload_id, model, version, segment, window_start, window_end, device_id, rows, payload, received_at, noise_scale, counted, reports)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true, $13)`,
      [k.projectId, id, k.model, k.version, k.segment, k.windowStart, k.windowEnd, id, facts.facts.rows, payload, now, b, used.length],
    );
    if (!(await decide(tx, k, { state: 'released', reports: used.length, reportSet: set, missing: [...missing], share: null }, now))) {
      throw new Error('the batch was decided meanwhile');
    }
  });
  return true;
}

/** The batch's layout with the released cells: a noisy profile whose header says what it is. */
async function releasePayload(ctx: CollectorContext, k: BatchKey, cells: BigInt64Array, reports: number): Promise<Uint8Array> {
  const [row] = await ctx.db.query<{ layout: Uint8Array }>('select layout from secure_layouts where layout_hash = $1', [k.layoutHash]);
  const p = ctx.core.profileFromBytes(new Uint8Array(row.layout));
  try {
    setCells(p, cells);
    const meta = layoutMeta(batchOf(k), paramsOf(k));
    const privacy = { ...JSON.parse(meta.privacy), aggregators: 2, reports };
    p.replaceMeta({ ...meta, privacy: JSON.stringify(privacy), deviceId: 'secure-release', uploadId: 'secure-release' });
    return p.toBytes();
  } finally {
    p.dispose();
  }
}
