// Semantic validation in the decoder and the merge: payloads that are well formed but describe
// impossible sketches are refused with a one-line reason, one test per class of junk; what a
// real recorder produces (exact or private, small or with values near the double's limit) passes.
import { describe, expect, test } from 'vitest';
import { CodecError, loadCore } from '../../src/core/index.ts';
import { wireProfile, zeros, type WireColumn } from '../helpers/wire.ts';

const core = await loadCore();
const DP = { privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale: 2 }) };

function refused(bytes: Uint8Array, reason: RegExp, upload = false) {
  try {
    (upload ? core.uploadFromBytes(bytes) : core.profileFromBytes(bytes)).dispose();
    expect.unreachable('decoded');
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).not.toContain('\n');
  }
}

function accepted(bytes: Uint8Array, upload = false) {
  const p = upload ? core.uploadFromBytes(bytes) : core.profileFromBytes(bytes);
  const names = p.columnNames;
  p.dispose();
  return names;
}

/** A private-mode grid column: noisy cells (one negative), counters re-derived from them. */
const noisyGrid = (name = 'g', missing = 1): WireColumn => ({
  kind: 'grid',
  name,
  noisy: true,
  count: missing + 5 - 2 + 9,
  missing,
  edges: [0, 1],
  cells: [5, -2, 9],
  moments: { n: 12, sum: 0, mean: 0, m2: 0, min: NaN, max: NaN },
});

describe('semantic validation', () => {
  test('the hand-written bytes of a valid profile decode (the writer matches the format)', () => {
    expect(accepted(wireProfile([zeros('a', 3), zeros('b', 3)]), true)).toEqual(['a', 'b']);
    expect(accepted(wireProfile([noisyGrid()], DP), true)).toEqual(['g']);
  });

  test('noise only in a private-mode upload', () => {
    const exact = wireProfile([noisyGrid()], { privacy: JSON.stringify({ mode: 'off' }) });
    refused(exact, /noisy column in an upload whose privacy mode is not "dp"/, true);
    refused(wireProfile([noisyGrid()]), /privacy mode is not "dp"/, true);
    // A stored rollup may merge private and exact windows: the profile itself is valid.
    expect(accepted(exact)).toEqual(['g']);
    // Keys in any order and spacing, as any JSON writer spells them.
    expect(accepted(wireProfile([noisyGrid()], { privacy: '{ "epsilon": 1,\n "mode" : "dp" }' }), true)).toEqual(['g']);
    // A noisy column whose counters do not follow from its cells is no private upload either.
    refused(wireProfile([{ ...noisyGrid(), count: -5000 } as WireColumn], DP), /counters do not add up/);
    refused(wireProfile([{ ...zeros('x', 3), noisy: true } as WireColumn], DP), /noise on an exponential histogram/);
  });

  test('negative counters of an exact column', () => {
    refused(wireProfile([{ ...zeros('a', 3), missing: -1, count: 2 } as WireColumn]), /negative counter/);
    refused(wireProfile([{ kind: 'categorical', name: 'c', count: -2, label: 'x', labelCount: -2 }]), /negative/);
  });

  test('columns of one upload may count differently (per row, per call, per label)', () => {
    expect(accepted(wireProfile([zeros('a', 3), zeros('health.latency_ms', 4)]), true)).toEqual(['a', 'health.latency_ms']);
    expect(accepted(wireProfile([noisyGrid('g', 1), noisyGrid('h', 3)], DP), true)).toEqual(['g', 'h']);
  });

  test('counts beyond one window are refused in an upload, allowed in a stored rollup', () => {
    const big = 2 ** 40;
    refused(wireProfile([zeros('a', big)]), /counts beyond one window/, true);
    expect(accepted(wireProfile([zeros('a', big)]))).toEqual(['a']);
    expect(accepted(wireProfile([zeros('a', 2 ** 32)]), true)).toEqual(['a']);
    refused(wireProfile([zeros('a', 2 ** 53 + 2)]), /count out of range/);
  });

  test.each([
    ['NaN sum', { sum: NaN }, /must be finite/],
    ['NaN mean', { mean: NaN }, /must be finite/],
    ['NaN M2', { m2: NaN }, /must be finite/],
    ['negative M2', { m2: -1 }, /M2 must be finite and not negative/],
    ['infinite max', { max: Infinity }, /min and max must be finite/],
    ['infinite min', { min: -Infinity }, /min and max must be finite/],
    ['M2 of equal values', { m2: 5 }, /spread beyond half the range/],
    ['sum of zeros', { sum: 7 }, /sum beyond/],
    ['mean outside the extremes', { mean: 3, min: -1, max: 1 }, /mean outside/],
  ])('moments: %s', (_, over, reason) => {
    refused(wireProfile([zeros('a', 3, over)]), reason);
  });

  test('what the recorder produces passes, values near the double limit included', () => {
    const p = core.profile({
      columns: [
        { name: 'x', kind: 'numeric' },
        { name: 'g', kind: 'grid', edges: [0, 0.5, 1] },
        { name: 'c', kind: 'categorical' },
      ],
    });
    p.recordRows([
      { x: 1.3407807929942597e154, g: 0.2, c: 'a' },
      { x: -1e300, g: 0.9, c: 'b' },
      { x: null, g: NaN, c: 'a' },
      { x: 3, g: Infinity, c: null },
    ]);
    const q = core.uploadFromBytes(p.toBytes());
    expect(q.summary('x').count).toBe(4);
    q.dispose();
    p.dispose();
  });

  test('names: non-empty and valid text; "__proto__" and "constructor" are plain names', () => {
    refused(wireProfile([zeros('', 3)]), /column name is empty/);
    refused(wireProfile([zeros('a\u0001b', 3)]), /control character/);
    refused(wireProfile([zeros('a', 3)], { '': 'x' }), /metadata key is empty/, true);
    const p = core.uploadFromBytes(wireProfile([zeros('__proto__', 3), zeros('constructor', 3)], { __proto__x: '1', constructor: 'c' }));
    try {
      expect(p.columnNames).toEqual(['__proto__', 'constructor']);
      expect(Object.keys(p.meta).sort()).toEqual(['__proto__x', 'constructor']);
      expect(p.meta.constructor).toBe('c');
    } finally {
      p.dispose();
    }
    const q = core.profileFromBytes(wireProfile([zeros('a', 1)], JSON.parse('{"__proto__":"v"}')));
    expect(Object.keys(q.meta)).toEqual(['__proto__']);
    expect(q.meta['__proto__']).toBe('v');
    q.dispose();
  });

  test('a merge that would pass 2^53 is refused and leaves the accumulator as it was', () => {
    const a = core.profileFromBytes(wireProfile([zeros('a', 2 ** 52)]));
    const b = core.profileFromBytes(wireProfile([zeros('a', 2 ** 52)]));
    const c = core.profileFromBytes(wireProfile([zeros('a', 1)]));
    try {
      a.merge(b); // exactly 2^53: still exact
      expect(a.summary('a').count).toBe(2 ** 53);
      const before = a.toBytes();
      expect(() => a.merge(c)).toThrow(/merged counts would pass 2\^53/);
      expect(a.toBytes()).toEqual(before);
      // What was stored still decodes.
      core.profileFromBytes(before).dispose();
    } finally {
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });

  test('decoding allocates in proportion to the bytes received', () => {
    // 4,096 empty frequent-item sketches: each register array is 4 KiB, each column ~20 bytes.
    const columns = Array.from({ length: 4096 }, (_, i): WireColumn => ({ kind: 'sketch', name: `c${i}`, count: 0, registers: 0 }));
    const bytes = wireProfile(columns);
    expect(bytes.length).toBeLessThan(100_000);
    for (let i = 0; i < 20; i++) refused(bytes, /more memory than its size allows/);
    // Refused early, its partial allocations are collected: repeating it never grows memory.
    const settled = core.stats().memoryBytes;
    for (let i = 0; i < 100; i++) refused(bytes, /more memory than its size allows/);
    expect(core.stats().memoryBytes).toBe(settled);
    // A real frequent-items column (more values than its capacity) decodes.
    const p = core.profile({ columns: [{ name: 'c', kind: 'categorical', capacity: 4 }] });
    p.recordLabels(
      'c',
      Array.from({ length: 100 }, (_, i) => `v${i % 37}`),
    );
    expect(accepted(p.toBytes(), true)).toEqual(['c']);
    p.dispose();
  });
});
