// Loads what every model-version view starts from: the version as /v1/models lists it.
import { ApiError, type CollectorClient } from '../api/client.ts';
import type { ModelVersion } from '../api/types.ts';

export async function findVersion(client: CollectorClient, model: string, version: string, signal?: AbortSignal): Promise<{ k: number; version: ModelVersion }> {
  const list = await client.models(signal);
  const v = list.models.find((m) => m.model === model && m.version === version);
  if (!v) throw new ApiError(`the collector knows no model version ${model}@${version}`, 404, 'not_found');
  return { k: list.k, version: v };
}

/** The drift endpoint answers 404 without a baseline: that is "nothing to compare", not a failure. */
export function orNoBaseline<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((err) => (err instanceof ApiError && err.status === 404 && err.reason === 'no_baseline' ? undefined : Promise.reject(err)));
}

/** Columns the edge runtime names by convention (src/edge/schema.ts). */
export const conventions = {
  predicted: (name: string) => name.endsWith('.predicted') && !name.startsWith('feedback.'),
  confidence: (name: string) => name.endsWith('.confidence') && !name.startsWith('feedback.'),
  confusion: (name: string) => name.startsWith('feedback.') && name.endsWith('.confusion'),
  latency: (name: string) => name === 'health.latency_ms',
  failure: (name: string) => name === 'health.failure',
  provider: (name: string) => name === 'health.provider',
};
