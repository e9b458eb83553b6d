// Merge and codec laws, checked on random data (fast-check): merging sketches is recording the
// union; the order of merges never matters; decode(encode(x)) = x; no byte string crashes the
// decoder.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { CodecError, loadCore, type Profile, type Schema } from '../../src/core/index.ts';

const core = await loadCore();

const schema: Schema = {
  columns: [
    // Small budget: merges must downscale. An explicit center: an automatic one comes from each
    // profile's own first values, so A then B and merge(A, B) may bucket around other centers.
    { name: 'x', kind: 'numeric', maxBuckets: 24, center: 0 },
    { name: 'g', kind: 'grid', edges: [-1, 0, 0.5, 1, 10] },
    { name: 'c', kind: 'categorical', capacity: 64 },
    { name: 'v', kind: 'categorical', vocabulary: ['a', 'b', 'c'] },
  ],
};

const number = fc.oneof(
  { weight: 6, arbitrary: fc.double({ noNaN: false }) },
  { weight: 3, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, NaN, null, Number.MIN_VALUE, Number.MAX_VALUE) },
);
const label = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', null, ''), fc.string({ maxLength: 6 }));
const batch = fc.array(fc.record({ x: number, g: number, c: label, v: label }), { maxLength: 60 });

function profileOf(...batches: Record<string, unknown>[][]): Profile {
  const p = core.profile(schema);
  for (const b of batches) p.recordRows(b as never);
  return p;
}

/** Bytes, and the float moments apart: those are equal only up to rounding when merge order changes. */
function canonical(p: Profile): { bytes: Uint8Array; moments: number[] } {
  const moments: number[] = [];
  const q = core.profileFromBytes(p.toBytes());
  for (const name of ['x', 'g']) {
    const s = q.summary(name);
    if (s.kind !== 'categorical') moments.push(s.sum, s.mean, s.std);
  }
  q.dispose();
  return { bytes: p.toBytes(), moments };
}

describe('merge', () => {
  test('merge(profile(A), profile(B)) equals the profile of A then B, byte for byte', () => {
    fc.assert(
      fc.property(batch, batch, (a, b) => {
        const pa = profileOf(a);
        const pb = profileOf(b);
        const whole = profileOf(a, b);
        pa.merge(pb);
        expect(pa.toBytes()).toEqual(whole.toBytes());
        [pa, pb, whole].forEach((p) => p.dispose());
      }),
      { numRuns: 150 },
    );
  });

  test('the same holds for batches far bigger than the property runs use', () => {
    const r = Array.from({ length: 300_000 }, (_, i) => Math.sin(i) * 1e3 + (i % 7));
    const a = Float64Array.from(r.slice(0, 100_000));
    const b = Float64Array.from(r.slice(100_000));
    const pa = core.histogram().addMany(a);
    const whole = core.histogram().addMany(a).addMany(b);
    pa.merge(core.histogram().addMany(b));
    expect(pa.toBytes()).toEqual(whole.toBytes());
  });

  test('merge is commutative byte for byte', () => {
    fc.assert(
      fc.property(batch, batch, (a, b) => {
        const ab = profileOf(a).merge(profileOf(b));
        const ba = profileOf(b).merge(profileOf(a));
        expect(ab.toBytes()).toEqual(ba.toBytes());
      }),
      { numRuns: 150 },
    );
  });

  test('merge is associative: sketches byte for byte, float moments to rounding', () => {
    fc.assert(
      fc.property(batch, batch, batch, (a, b, c) => {
        const left = profileOf(a).merge(profileOf(b)).merge(profileOf(c));
        const right = profileOf(a).merge(profileOf(b).merge(profileOf(c)));
        const l = canonical(left);
        const r = canonical(right);
        // Rounding is relative to the inputs' magnitude (cancellation can leave a tiny result).
        const rows = [...a, ...b, ...c];
        const scales = ['x', 'g'].flatMap((k) => {
          const big = Math.max(1, ...rows.map((row) => Math.abs(Number(row[k as 'x' | 'g']))).filter(Number.isFinite));
          return [rows.length * big, big, big];
        });
        l.moments.forEach((m, i) => {
          const o = r.moments[i];
          // Near the end of the double range whether a partial sum (or square) overflows depends
          // on the order of the merges: the moments are compared only where none can.
          if (!(scales[i] < 1e300)) return;
          expect(Number.isFinite(m), `${m} vs ${o}`).toBe(Number.isFinite(o));
          if (Number.isFinite(m)) expect(Math.abs(m - o)).toBeLessThanOrEqual(1e-9 * scales[i]);
        });
        // With the moments equal, the rest of the bytes must be too: compare with them zeroed out.
        expect(stripMoments(l.bytes)).toEqual(stripMoments(r.bytes));
      }),
      { numRuns: 100 },
    );
  });

  // Past 128 distinct values a numeric column is its histogram alone; with a center it buckets
  // x − center. Both must keep the merge laws, checked here with batches large enough.
  const wide = fc.array(
    fc.oneof({ weight: 4, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: fc.double() }),
    {
      minLength: 130,
      maxLength: 300,
    },
  );
  const sketchSchema: Schema = {
    columns: [
      { name: 's', kind: 'numeric', maxBuckets: 24 },
      { name: 'o', kind: 'numeric', maxBuckets: 64, center: 1000.5 },
    ],
  };
  const sketchOf = (...batches: number[][]) => {
    const p = core.profile(sketchSchema);
    for (const b of batches) p.recordColumns({ s: Float64Array.from(b), o: Float64Array.from(b, (x) => x / 1000 + 1000) });
    return p;
  };
  test('past the exact capacity and with a center: A then B equals merge, in either order, grouped either way', () => {
    fc.assert(
      fc.property(wide, wide, wide, (a, b, c) => {
        const whole = sketchOf(a, b).toBytes();
        expect(sketchOf(a).merge(sketchOf(b)).toBytes()).toEqual(whole);
        expect(sketchOf(b).merge(sketchOf(a)).toBytes()).toEqual(whole);
        const left = sketchOf(a).merge(sketchOf(b)).merge(sketchOf(c));
        const right = sketchOf(a).merge(sketchOf(b).merge(sketchOf(c)));
        expect(stripMoments(left.toBytes())).toEqual(stripMoments(right.toBytes()));
        expect((left.summary('s') as { exact?: unknown }).exact).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  // The default center ('auto') comes from each profile's own values: merging profiles centred
  // apart must still be exact and the same either way round when one side holds exact values,
  // and refused both ways round when neither does.
  const offsetBatch = fc.record({
    offset: fc.constantFrom(0, 1e3, 1e6, -5e4),
    spread: fc.constantFrom(1, 0.01, 300),
    values: fc.array(fc.integer({ min: -60, max: 60 }), { minLength: 1, maxLength: 80 }),
    continuous: fc.boolean(),
  });
  const autoOf = (b: { offset: number; spread: number; values: number[]; continuous: boolean }) => {
    const p = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
    // Continuous batches have more distinct values than the exact capacity holds.
    const xs = b.continuous
      ? Array.from({ length: 200 }, (_, i) => b.offset + b.spread * Math.sin(i + b.values[0]))
      : b.values.map((v) => b.offset + b.spread * v);
    p.recordNumbers('x', Float64Array.from(xs));
    return p;
  };
  test('default centers: merge is exact and commutative byte for byte, or refused both ways', () => {
    fc.assert(
      fc.property(offsetBatch, offsetBatch, (a, b) => {
        const attempt = (x: typeof a, y: typeof a) => {
          const p = autoOf(x);
          try {
            return p.merge(autoOf(y)).toBytes();
          } catch (err) {
            return String(err);
          }
        };
        const ab = attempt(a, b);
        const ba = attempt(b, a);
        if (typeof ab === 'string' || typeof ba === 'string') {
          expect(ab).toMatch(/different centers/);
          expect(ba).toMatch(/different centers/);
        } else expect(ab).toEqual(ba);
        if (!a.continuous || !b.continuous) expect(typeof ab).not.toBe('string');
      }),
      { numRuns: 150 },
    );
  });

  test('−0 and +0 as extremes merge the same either way round', () => {
    const a = [{ x: 0, g: -0, c: '', v: 'a' }];
    const b = [{ x: 0, g: 0, c: 'a', v: 'a' }];
    expect(profileOf(a).merge(profileOf(b)).toBytes()).toEqual(profileOf(b).merge(profileOf(a)).toBytes());
  });

  test('merging across different scales is exact', () => {
    const fine = core.histogram({ scale: 8 });
    const coarse = core.histogram({ scale: 0 });
    const values = [0.1, 0.5, 1, 2, 3, 100, -7, -0.25];
    fine.addMany(values.slice(0, 4));
    coarse.addMany(values.slice(4));
    fine.merge(coarse);
    const direct = core.histogram({ scale: 0 });
    direct.addMany(values);
    expect(fine.summary().positive).toEqual(direct.summary().positive);
    expect(fine.summary().negative).toEqual(direct.summary().negative);
    expect(fine.count).toBe(values.length);
  });

  test('incompatible columns refuse to merge and leave the target untouched', () => {
    const a = core.profile({
      columns: [
        { name: 'x', kind: 'numeric' },
        { name: 'y', kind: 'numeric' },
      ],
    });
    const b = core.profile({
      columns: [
        { name: 'x', kind: 'numeric' },
        { name: 'y', kind: 'categorical' },
      ],
    });
    a.recordRows([{ x: 1, y: 2 }]);
    b.recordRows([{ x: 5, y: 'q' }]);
    const before = a.toBytes();
    expect(() => a.merge(b)).toThrow(/column 'y': cannot merge numeric with categorical/);
    expect(a.toBytes()).toEqual(before);
  });
});

/** Everything a profile holds but its float moments (sum, mean, variance), as comparable bytes. */
function stripMoments(bytes: Uint8Array): Uint8Array {
  const p = core.profileFromBytes(bytes);
  const parts: number[] = [];
  for (const { name, kind } of p.columns) {
    const s = p.summary(name);
    if (kind === 'categorical' || s.kind === 'categorical') parts.push(...new TextEncoder().encode(JSON.stringify(s)));
    else parts.push(...new TextEncoder().encode(JSON.stringify({ ...s, sum: 0, mean: 0, variance: 0, std: 0 })));
  }
  p.dispose();
  return Uint8Array.from(parts);
}

describe('codec', () => {
  test('decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(batch, fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 4 }), (rows, meta) => {
        const p = profileOf(rows);
        p.meta = meta;
        const bytes = p.toBytes();
        const q = core.profileFromBytes(bytes);
        expect(q.toBytes()).toEqual(bytes);
        expect(q.meta).toEqual({ ...meta });
        for (const name of p.columnNames) expect(q.summary(name)).toEqual(p.summary(name));
        p.dispose();
        q.dispose();
      }),
      { numRuns: 150 },
    );
  });

  test('random bytes never crash the decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectDecodedOrRejected(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  test('a refusal quoting a byte the input had as a newline stays one line', () => {
    // Found by the property below: a byte of the input turned into "\n" was quoted in the reason.
    const base = profileOf(
      Array.from({ length: 200 }, (_, i) => ({ x: i * 1.7 - 50, g: i / 100, c: `k${i % 70}`, v: ['a', 'b', 'z'][i % 3] })),
    ).toBytes();
    const bytes = base.slice(0, 107);
    bytes[8] = 10;
    expectDecodedOrRejected(bytes);
  });

  test('mutated profiles never crash the decoder', () => {
    const base = profileOf(
      Array.from({ length: 200 }, (_, i) => ({ x: i * 1.7 - 50, g: i / 100, c: `k${i % 70}`, v: ['a', 'b', 'z'][i % 3] })),
    ).toBytes();
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(base.length - 1), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        fc.nat(base.length),
        (edits, cut) => {
          const bytes = base.slice(0, Math.max(cut, 5));
          for (const { at, value } of edits) if (at < bytes.length) bytes[at] = value;
          expectDecodedOrRejected(bytes);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

function expectDecodedOrRejected(bytes: Uint8Array): void {
  let p: Profile | undefined;
  try {
    p = core.profileFromBytes(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    expect((err as Error).message).not.toContain('\n');
    return;
  }
  // Whatever decodes is a sound profile: it re-encodes, and reads, without failing.
  const again = core.profileFromBytes(p.toBytes());
  for (const name of p.columnNames) again.summary(name);
  p.dispose();
  again.dispose();
}
