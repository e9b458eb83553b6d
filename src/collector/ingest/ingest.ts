// POST /v1/ingest, past authentication: decode with the core, check the header and the schema,
// store the raw payload. The insert is one autocommitted statement; the caller acknowledges only
// after it returns, i.e. after the upload is durable. A repeated upload id is a duplicate and
// stores nothing.
import type { Core } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { RequestError } from './errors.ts';
import { parseHeader, type UploadHeader } from './header.ts';
import { checkColumns, columnsOf, type ModelRegistry } from './models.ts';

export interface IngestContext {
  db: Queryable;
  core: Core;
  models: ModelRegistry;
  autoRegister: boolean;
  maxFutureMs: number;
  maxAgeMs: number;
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
  let profile;
  try {
    profile = ctx.core.profileFromBytes(bytes);
  } catch (err) {
    throw new RequestError(400, 'decode', `decode: ${oneLine(err)}`);
  }
  try {
    const header = parseHeader(profile.meta ?? {}, now, ctx);
    const wait = ctx.admitDevice?.(header.deviceId) ?? 0;
    if (wait > 0) throw new RequestError(429, 'rate_limit', `rate limit: device over its uploads per minute, retry in ${wait}s`);
    const specs = profile.columns;
    if (specs.length === 0) throw new RequestError(422, 'schema', 'schema: the profile has no columns');
    let known = await ctx.models.get(ctx.db, projectId, header.model, header.version);
    if (!known) {
      if (!ctx.autoRegister) {
        throw new RequestError(422, 'unknown_model', `unknown model ${header.model}@${header.version} (auto-register is off)`);
      }
      known = await ctx.models.register(ctx.db, projectId, header.model, header.version, columnsOf(specs));
    }
    checkColumns(header.model, header.version, known, specs);
    // Rows in the window: every column counts every row (missing included).
    const rows = profile.summary(specs[0].name).count;
    const inserted = await ctx.db.query(
      `insert into uploads (project_id, upload_id, model, version, segment, window_start, window_end,
                            device_id, rows, payload, received_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (project_id, upload_id) do nothing returning id`,
      [
        projectId,
        header.uploadId,
        header.model,
        header.version,
        JSON.stringify(header.segment),
        header.windowStart,
        header.windowEnd,
        header.deviceId,
        rows,
        bytes,
        now,
      ],
    );
    return { uploadId: header.uploadId, duplicate: inserted.length === 0, header, rows };
  } finally {
    profile.dispose();
  }
}

const oneLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0].slice(0, 300);
