// Shared by the edge tests: deterministic data, a fresh model id per test, decoding what a
// monitor would upload.
import { loadCore, type Profile } from '../../src/core/index.ts';

import { rng } from '../helpers/random.ts';

export { rng };

/** Rows of 4 features in roughly the ranges of the churn fixture. */
export function featureRows(n: number, seed = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = 18 + r() * 60;
    out[i * 4 + 1] = r() * 4 - 2;
    out[i * 4 + 2] = Math.round(r() * 10);
    out[i * 4 + 3] = r() * 2 - 1;
  }
  return out;
}

let counter = 0;
export function freshModelId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function decode(bytes: Uint8Array): Promise<Profile> {
  const core = await loadCore();
  return core.profileFromBytes(bytes);
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v as T;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
