// Merging frequent-items sketches is independent of order and grouping: counters and error bounds
// add exactly, so any tree of merges over the same sketches gives the same bytes. The merged
// sketch keeps the frequent-items guarantees for the union of the data.
import { describe, expect, test } from 'vitest';
import { loadCore, type CategoricalSummary, type Profile } from '../../src/core/index.ts';
import * as exact from '../helpers/exact.ts';
import { rng } from '../helpers/random.ts';

const core = await loadCore();
const CAPACITY = 16;

/** A window of Zipf-like labels: a few heavy values, a long tail, and values of its own. */
function windowOf(seed: number, n: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.4) return `hot${Math.floor(r() * 6)}`;
    if (u < 0.8) return `tail${Math.floor(r() * 2000)}`;
    return `own${seed}-${Math.floor(r() * 50)}`;
  });
}

function profileOf(values: string[]): Profile {
  const p = core.profile({ columns: [{ name: 'c', kind: 'categorical', capacity: CAPACITY }] });
  p.recordLabels('c', values);
  return p;
}

/** Merges the profiles in a random binary tree over a random order; some nodes travel as bytes. */
function mergeRandomly(windows: string[][], seed: number): Uint8Array {
  const r = rng(seed);
  let nodes = windows.map((w) => profileOf(w));
  while (nodes.length > 1) {
    const i = Math.floor(r() * nodes.length);
    let j = Math.floor(r() * (nodes.length - 1));
    if (j >= i) j++;
    let into = nodes[i];
    into.merge(nodes[j]);
    nodes[j].dispose();
    if (r() < 0.3) {
      const bytes = into.toBytes();
      into.dispose();
      into = core.profileFromBytes(bytes);
    }
    nodes[i] = into;
    nodes = nodes.filter((_, k) => k !== j);
  }
  const bytes = nodes[0].toBytes();
  nodes[0].dispose();
  return bytes;
}

describe('frequent-items merge', () => {
  const windows = Array.from({ length: 24 }, (_, i) => windowOf(i + 1, 200 + 37 * i));

  test('every order and grouping of 24 sketches gives the same bytes', () => {
    for (const w of windows) {
      const p = profileOf(w);
      expect((p.summary('c') as CategoricalSummary).mode).toBe('sketch');
      p.dispose();
    }
    const first = mergeRandomly(windows, 1000);
    for (let seed = 1001; seed < 1031; seed++) expect(mergeRandomly(windows, seed)).toEqual(first);
  });

  test('the merged sketch keeps the guarantees for the union of the data', () => {
    const merged = core.profileFromBytes(mergeRandomly(windows, 7));
    const s = merged.summary('c') as CategoricalSummary;
    merged.dispose();
    const all = windows.flat();
    const truth = exact.counts(all);
    expect(s.mode).toBe('sketch');
    expect(s.errorBound).toBeLessThanOrEqual(all.length / (CAPACITY + 1));
    for (const { value, count } of s.items) {
      const t = truth.get(value)!;
      expect(count).toBeLessThanOrEqual(t);
      expect(count).toBeGreaterThanOrEqual(t - s.errorBound);
    }
    for (const [value, t] of truth)
      if (t > s.errorBound)
        expect(
          s.items.some((i) => i.value === value),
          value,
        ).toBe(true);
  });

  test('exact sketches whose union outgrows the capacity merge alike in any grouping', () => {
    // Each window alone is exact (at most 16 values); together they are not.
    const small = Array.from({ length: 9 }, (_, i) => Array.from({ length: 40 }, (_, k) => `v${(i * 5 + (k % 12)) % 70}`));
    const first = mergeRandomly(small, 1);
    for (let seed = 2; seed < 12; seed++) expect(mergeRandomly(small, seed)).toEqual(first);
  });
});
