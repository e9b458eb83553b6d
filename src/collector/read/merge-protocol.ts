// The messages between the collector and its merge threads (merge-pool.ts, merge-worker.ts).
import type { UploadFacts } from '../ingest/upload-facts.ts';

/** A piece of an aggregate named for the bucket cache (merge-cache.ts); only raw uploads are cacheable. */
export type PlannedPiece = { index: number; key: string; t: number; cacheable: boolean };

export type MergeRequest =
  | { id: number; op: 'plan'; session: number; scope: string; pieces: PlannedPiece[] }
  | { id: number; op: 'add'; session: number; pieces: { index: number; payload: Uint8Array }[] }
  | { id: number; op: 'finish'; session: number }
  | { id: number; op: 'drop'; session: number }
  | { id: number; op: 'inspect'; session: 0; payload: Uint8Array };

export interface MergeReply {
  id: number;
  ok: boolean;
  error?: string;
  /** plan: the pieces whose payloads the thread needs (the others it has folded before). */
  need?: number[];
  /** add: the pieces that did not decode, by the index the caller gave them. */
  unreadable?: { index: number; reason: string }[];
  /** finish: each group of mutually mergeable pieces, merged, with the indices it holds. */
  groups?: { bytes: Uint8Array; members: number[] }[];
  /** inspect: the upload's facts; `refused` when the decoder refused it (its reason). */
  facts?: UploadFacts;
  refused?: string;
}
