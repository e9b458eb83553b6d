// The binary format: compact, versioned, strict.
import { describe, expect, test } from 'vitest';
import { CodecError, loadCore } from '../../src/core/index.ts';
import { normals } from '../helpers/random.ts';

const core = await loadCore();

describe('codec', () => {
  test('a numeric column of 1M normal(0,1) values fits in 2.5 KB at the default scale 5', () => {
    const h = core.histogram();
    h.addMany(normals(1_000_000, 5));
    expect(h.summary().scale).toBe(5);
    const bytes = h.toBytes();
    expect(bytes.byteLength).toBeLessThanOrEqual(2560);
    const back = core.histogramFromBytes(bytes);
    expect(back.count).toBe(1_000_000);
    expect(back.toBytes()).toEqual(bytes);
    h.dispose();
    back.dispose();
  });

  test('a profile from a newer format version is refused with a clear reason', () => {
    const bytes = core.histogram().add(1).toBytes();
    bytes[4] = 99;
    expect(() => core.profileFromBytes(bytes)).toThrow(/format version 99 is newer than this edgewatch reads \(2\)/);
  });

  test('a version-1 profile (M2 for the standard deviation, no center, no numeric mode) still reads', () => {
    const xs = Array.from({ length: 200 }, (_, i) => 1 + i * i * 0.37); // past the exact capacity
    const h = core.histogram().addMany(Float64Array.from(xs));
    const v2 = h.toBytes();
    // magic, version, nMeta, nColumns, name, kind, flags, five counters, the value count, sum,
    // mean, then the spread; after min and max the scale, the budget, the center and the mode.
    let at = 4 + 1 + 1 + 1 + 1 + v2[7] + 2;
    const skipVarint = () => {
      while (v2[at++] & 0x80);
    };
    for (let i = 0; i < 6; i++) skipVarint();
    at += 16;
    const sdAt = at;
    at += 24;
    skipVarint();
    skipVarint();
    const view = new DataView(v2.buffer, v2.byteOffset);
    const sd = view.getFloat64(sdAt, true);
    const v1 = Uint8Array.from([...v2.subarray(0, at), ...v2.subarray(at + 9)]);
    expect(view.getFloat64(at, true)).toBe(0); // no center
    expect(v2[at + 8]).toBe(0); // the sketch mode
    v1[4] = 1;
    new DataView(v1.buffer).setFloat64(sdAt, sd * sd * xs.length, true);
    const back = core.histogramFromBytes(v1);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    expect(back.summary().std / Math.sqrt(variance)).toBeCloseTo(1, 12);
    expect(back.summary().positive).toEqual(h.summary().positive);
    h.dispose();
    back.dispose();
  });

  test.each([
    ['empty input', new Uint8Array(0), /bad magic/],
    ['junk', new TextEncoder().encode('hello, world'), /bad magic/],
    ['truncated', null, /unexpected end of data|out of range/],
    ['trailing bytes', 'trailing', /trailing bytes/],
  ])('%s is refused with a one-line reason', (_, input, reason) => {
    const good = core.profile({
      columns: [
        { name: 'a', kind: 'numeric' },
        { name: 'b', kind: 'categorical' },
      ],
    });
    good.recordRows([
      { a: 1.5, b: 'x' },
      { a: -3, b: 'y' },
    ]);
    const bytes = good.toBytes();
    const bad =
      input === null ? bytes.subarray(0, bytes.length - 3) : input === 'trailing' ? Uint8Array.from([...bytes, 0]) : (input as Uint8Array);
    try {
      core.profileFromBytes(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CodecError);
      expect((err as Error).message).toMatch(reason);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  test('a length field that claims more than the input holds allocates nothing and fails', () => {
    // Magic, version 1, then a metadata count of 2^35.
    const bytes = Uint8Array.from([0x45, 0x57, 0x50, 0x46, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    const before = core.stats().memoryBytes;
    expect(() => core.profileFromBytes(bytes)).toThrow(/metadata count .* out of range/);
    expect(core.stats().memoryBytes).toBe(before);
  });

  test('counts that do not add up are refused', () => {
    const h = core.histogram();
    h.addMany([1, 2, 3]);
    const bytes = h.toBytes();
    // The first counter after the column header is `count` (zigzag 3 = 6): claim 4 rows instead.
    const at = bytes.indexOf(6, 10);
    bytes[at] = 8;
    expect(() => core.profileFromBytes(bytes)).toThrow(/do not add up/);
  });

  test('metadata travels with the profile', () => {
    const p = core.profile({ columns: [{ name: 'a', kind: 'numeric' }] });
    p.meta = { model: 'churn', segment: '{"region":"eu"}', ünïcode: '✓' };
    const q = core.profileFromBytes(p.toBytes());
    expect(q.meta).toEqual({ model: 'churn', segment: '{"region":"eu"}', ünïcode: '✓' });
  });
});
