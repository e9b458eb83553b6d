// Shared by the edge tests: deterministic data, a fresh model id per test, decoding what a
// monitor would upload.
import { loadCore, type Profile } from '../../src/core/index.ts';

/** A small deterministic generator (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
