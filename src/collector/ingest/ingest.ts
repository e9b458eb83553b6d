// POST /v1/ingest, past authentication: decode with the core (on a merge thread when the
// collector has them), check the header and the schema, store the raw payload. The insert is
// committed (grouped with concurrent uploads, see batcher.ts) before this returns, so the caller acknowledges only durable uploads. A repeated
// upload id is a duplicate and stores nothing.
import type { Core } from '../core.ts';
import { mergePoolOf } from '../read/merge-pool.ts';
import type { Queryable } from '../storage/db.ts';
import type { UploadBatcher } from './batcher.ts';
import { RequestError } from '../errors.ts';
import { parseHeader, type UploadHeader } from './header.ts';
import { columnsOf, type ModelRegistry } from './models.ts';
import { uploadFacts } from './upload-facts.ts';

export interface IngestContext {
  db: Queryable;
  uploads: UploadBatcher;
  core: Core;
  models: ModelRegistry;
  autoRegister: boolean;
  maxFutureMs: number;
  maxAgeMs: number;
  /** Most columns per upload (0: the core's limit). */
  maxColumns?: number;
  /** Versions a project may register by uploading (0: no limit). */
  maxVersionsPerProject?: number;
  /** Rows an exact upload needs for its device to count towards k (see UploadRow.counted). */
  kMinRows?: number;
  /** Seconds a device must wait before its next upload, 0 to admit it (rate limit). */
  admitDevice?: (deviceId: string) => number;
}

export interface IngestResult {
  uploadId: string;
  duplicate: boolean;
  header: UploadHeader;
  rows: number;
}

export async function ingest(ctx: IngestContext, projectId: number, bytes: Uint8Array, now = Date.now()): Promise<IngestResult> {
  const pool = mergePoolOf(ctx.core);
  const read = pool ? await pool.inspect(bytes) : uploadFacts(ctx.core, bytes);
  if ('refused' in read) throw new RequestError(400, 'decode', `decode: ${oneLine(read.refused)}`);
  const { meta, columns: specs, rows } = read.facts;
  const header = parseHeader(meta, now, ctx);
  const wait = ctx.admitDevice?.(header.deviceId) ?? 0;
  if (wait > 0) throw new RequestError(429, 'rate_limit', `rate limit: device over its uploads per minute, retry in ${wait}s`);
  if (specs.length === 0) throw new RequestError(422, 'schema', 'schema: the profile has no columns');
  if (ctx.maxColumns && specs.length > ctx.maxColumns) {
    throw new RequestError(413, 'too_wide', `too wide: ${specs.length} columns, at most ${ctx.maxColumns} per upload (--max-columns)`);
  }
  let known = await ctx.models.get(ctx.db, projectId, header.model, header.version);
  if (!known) {
    if (!ctx.autoRegister) {
      throw new RequestError(422, 'unknown_model', `unknown model ${header.model}@${header.version} (auto-register is off)`);
    }
    known = await ctx.models.register(ctx.db, projectId, header.model, header.version, columnsOf(specs), ctx.maxVersionsPerProject);
  }
  if (!known.provisional) await ctx.models.accept(ctx.db, projectId, header.model, header.version, known, specs);
  const inserted = await ctx.uploads.insert({
    projectId,
    uploadId: header.uploadId,
    model: header.model,
    version: header.version,
    segment: JSON.stringify(header.segment),
    windowStart: header.windowStart,
    windowEnd: header.windowEnd,
    deviceId: header.deviceId,
    rows,
    payload: bytes,
    receivedAt: now,
    noiseScale: header.noiseScale,
    // Noisy rows cannot be checked against a threshold; the noise is that upload's protection.
    counted: header.noiseScale !== null || rows >= (ctx.kMinRows ?? 0),
  });
  return { uploadId: header.uploadId, duplicate: !inserted, header, rows };
}

const oneLine = (err: unknown) =>
  String((err as Error)?.message ?? err)
    .split('\n')[0]
    .slice(0, 300);
