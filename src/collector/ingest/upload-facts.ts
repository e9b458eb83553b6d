// What ingest needs of an upload, read with the core's validating decoder (uploadFromBytes, which
// refuses every semantically invalid payload). Runs on a merge thread when the collector has them
// (read/merge-pool.ts): decoding a wide upload is the longest step of an ingest request.
import type { ColumnKind } from 'edgewatch';
import type { Core, Profile } from '../core.ts';

export interface UploadFacts {
  meta: Record<string, string>;
  columns: { name: string; kind: ColumnKind }[];
  /**
   * Rows in the window: the first column's count. The edge lays out its inputs first, and the
   * columns of one input count the same rows (the decoder checks it: assembly/row_families.ts).
   */
  rows: number;
}

export function uploadFacts(core: Core, bytes: Uint8Array): { facts: UploadFacts } | { refused: string } {
  let p: Profile;
  try {
    p = core.uploadFromBytes(bytes);
  } catch (err) {
    return { refused: (err as Error).message };
  }
  try {
    const columns = p.columns.map((c) => ({ name: c.name, kind: c.kind }));
    return { facts: { meta: { ...(p.meta ?? {}) }, columns, rows: columns.length > 0 ? p.summary(columns[0].name).count : 0 } };
  } finally {
    p.dispose();
  }
}
