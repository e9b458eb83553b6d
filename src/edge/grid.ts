// The private mode's grid (baseline percentile edges and vocabularies): from the options, from
// the store's cache, or from the collector (GET /v1/grid/<model>/<version>), cached for next time.
import { type Grid, isPrivate, type ResolvedOptions } from './options.ts';
import type { Store } from './store.ts';

export class GridError extends Error {
  override name = 'GridError';
}

export function validateGrid(g: unknown): Grid {
  const cols = (g as Grid | null)?.columns;
  if (!cols || typeof cols !== 'object') throw new GridError('a grid is { columns: { name: { edges } | { vocabulary } } }');
  for (const [name, c] of Object.entries(cols)) {
    if ('edges' in c) {
      const e = c.edges;
      if (!Array.isArray(e) || e.length === 0 || e.some((x, i) => !Number.isFinite(x) || (i > 0 && !(x > e[i - 1])))) {
        throw new GridError(`grid column '${name}': edges must be finite and strictly increasing`);
      }
    } else if (!('vocabulary' in c) || !Array.isArray(c.vocabulary) || c.vocabulary.some((v) => typeof v !== 'string')) {
      throw new GridError(`grid column '${name}': needs edges or a vocabulary of strings`);
    }
  }
  return g as Grid;
}

export async function loadGrid(o: ResolvedOptions, store: Store, fetchFn: typeof fetch = fetch): Promise<Grid> {
  if (!isPrivate(o.privacy)) throw new GridError('only the private modes record on a grid');
  if (o.privacy.grid) return validateGrid(o.privacy.grid);
  const key = `grid:${o.modelVersion}`;
  const cached = await store.get<Grid>(key);
  if (cached) return cached;
  if (!o.collector) throw new GridError('the private mode needs privacy.grid or a collector to fetch it from');
  const url = `${o.collector.replace(/\/+$/, '')}/v1/grid/${encodeURIComponent(o.modelId)}/${encodeURIComponent(o.modelVersion)}`;
  const res = await fetchFn(url, { headers: o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {} });
  if (!res.ok) throw new GridError(`cannot fetch the baseline grid (${url}: HTTP ${res.status})`);
  const grid = validateGrid(await res.json());
  await store.set(key, grid);
  return grid;
}
