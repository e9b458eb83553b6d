// The upload header as the collector refuses it: the core's reader (src/core/upload-header.ts,
// the one declaration both ends use), its refusals turned into 422 answers with their reason.
import { HeaderError, readUploadHeader, type UploadHeader } from 'edgewatch';
import { RequestError } from '../errors.ts';

export type { UploadHeader };

export function parseHeader(meta: Record<string, string>, now: number, limits: { maxFutureMs: number; maxAgeMs: number }): UploadHeader {
  try {
    return readUploadHeader(meta, now, limits);
  } catch (err) {
    if (err instanceof HeaderError) throw new RequestError(422, err.reason, err.message);
    throw err;
  }
}
