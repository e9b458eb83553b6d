// Loads what every model-version view starts from: the version as /v1/models lists it.
import { HEALTH, parseColumn } from 'edgewatch/columns';
import { ApiError, type CollectorClient } from '../api/client.ts';
import type { ModelVersion } from 'edgewatch/read-api';

export async function findVersion(
  client: CollectorClient,
  model: string,
  version: string,
  signal?: AbortSignal,
): Promise<{ k: number; version: ModelVersion; models: ModelVersion[] }> {
  const list = await client.models(signal);
  const v = list.models.find((m) => m.model === model && m.version === version);
  if (!v) throw new ApiError(`the collector knows no model version ${model}@${version}`, 404, 'not_found');
  return { k: list.k, version: v, models: list.models };
}

/** The drift endpoint answers 404 without a baseline: that is "nothing to compare", not a failure. */
export function orNoBaseline<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((err) =>
    err instanceof ApiError && err.status === 404 && err.reason === 'no_baseline' ? undefined : Promise.reject(err),
  );
}

const part = (name: string, group: string, wanted: string) => {
  const role = parseColumn(name);
  return role.group === group && 'part' in role && role.part === wanted;
};

/** Columns the edge runtime names by convention, read with the core's parser. */
export const conventions = {
  predicted: (name: string) => part(name, 'output', 'predicted'),
  confidence: (name: string) => part(name, 'output', 'confidence'),
  confusion: (name: string) => part(name, 'feedback', 'confusion'),
  latency: (name: string) => name === HEALTH.latency,
  failure: (name: string) => name === HEALTH.failure,
  provider: (name: string) => name === HEALTH.provider,
};
