// A secure-mode batch as both aggregators key it: the reports whose sum is released together, or
// not at all. Every part of the key is bound into each report's helper share (its HPKE associated
// data), so neither aggregator can move a report into another batch.
import type { SecureBatch, SecureParams } from 'edgewatch/secure';
import { canonicalSegment } from '../read/segments.ts';

export interface BatchKey {
  projectId: number;
  model: string;
  version: string;
  /** Canonical JSON of the segment (keys sorted). */
  segment: string;
  windowStart: number;
  windowEnd: number;
  layoutHash: string;
  /** Canonical JSON of the noise parameters. */
  params: string;
}

export function batchKey(projectId: number, batch: SecureBatch, layoutHash: string, params: SecureParams): BatchKey {
  return {
    projectId,
    model: batch.model,
    version: batch.version,
    segment: canonicalSegment(batch.segment),
    windowStart: batch.windowStart,
    windowEnd: batch.windowEnd,
    layoutHash,
    params: JSON.stringify({ epsilon: params.epsilon, maxRowsPerWindow: params.maxRowsPerWindow, cellsPerEvent: params.cellsPerEvent }),
  };
}

/** The key's columns in the tables' order, as SQL parameters $1…$8 (see BATCH_MATCH). */
export const keyParams = (k: BatchKey) => [k.projectId, k.model, k.version, k.segment, k.windowStart, k.windowEnd, k.layoutHash, k.params];

export const BATCH_MATCH =
  'project_id = $1 and model = $2 and version = $3 and segment = $4 and window_start = $5 and window_end = $6 and layout_hash = $7 and params = $8';

export function batchOf(k: BatchKey): SecureBatch {
  return { model: k.model, version: k.version, segment: JSON.parse(k.segment), windowStart: k.windowStart, windowEnd: k.windowEnd };
}

export function paramsOf(k: BatchKey): SecureParams {
  return JSON.parse(k.params);
}
