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

  test('a version-1 profile (which kept M2, not the standard deviation) still reads', () => {
    const xs = [1, 2, 3, 4, 10];
    const h = core.histogram().addMany(Float64Array.from(xs));
    const v2 = h.toBytes();
    // Layout: magic, version, nMeta = 0, nColumns = 1, name, kind, flags, five counters and the
    // value count (one byte each here), sum, mean, then the spread.
    const at = 4 + 1 + 1 + 1 + 1 + v2[7] + 1 + 1 + 6 + 8 + 8;
    const v1 = v2.slice();
    v1[4] = 1;
    const view = new DataView(v1.buffer);
    const sd = view.getFloat64(at, true);
    view.setFloat64(at, sd * sd * xs.length, true);
    const back = core.histogramFromBytes(v1);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    expect(back.summary().variance).toBeCloseTo(variance, 12);
    expect(back.summary().std).toBeCloseTo(Math.sqrt(variance), 12);
    h.dispose();
    back.dispose();
  });

  test.each([
    ['empty input', new Uint8Array(0), /bad magic/],
    ['junk', new TextEncoder().encode('hello, world'), /bad magic/],
    ['truncated', null, /unexpected end of data|out of range/],
    ['trailing bytes', 'trailing', /trailing bytes/],
  ])('%s is refused with a one-line reason', (_, input, reason) => {
    const good = core.profile({ columns: [{ name: 'a', kind: 'numeric' }, { name: 'b', kind: 'categorical' }] });
    good.recordRows([{ a: 1.5, b: 'x' }, { a: -3, b: 'y' }]);
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
    p.meta = { model: 'churn', segment: '{"region":"eu"}', 'ünïcode': '✓' };
    const q = core.profileFromBytes(p.toBytes());
    expect(q.meta).toEqual({ model: 'churn', segment: '{"region":"eu"}', 'ünïcode': '✓' });
  });
});
