// Writes profile bytes field by field from the format documented in assembly/codec.ts, without
// the core: tests use it to build payloads no recorder would produce (negative counters, NaN
// moments, noise in an exact upload, …) and check that the decoder refuses each one.

export interface WireMoments {
  n: number;
  sum: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

export interface WireCounters {
  count: number;
  missing?: number;
  nan?: number;
  posInf?: number;
  negInf?: number;
}

export type WireColumn =
  | ({ kind: 'numeric'; name: string; noisy?: boolean; moments: WireMoments; zero: number } & WireCounters)
  | ({ kind: 'grid'; name: string; noisy?: boolean; moments: WireMoments; edges: number[]; cells: number[] } & WireCounters)
  | ({ kind: 'categorical'; name: string; noisy?: boolean; label: string; labelCount: number } & WireCounters)
  | ({ kind: 'sketch'; name: string; registers: number } & WireCounters);

class Out {
  bytes: number[] = [];
  u8(v: number) {
    this.bytes.push(v & 0xff);
  }
  varint(v: bigint) {
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  zz(v: number) {
    const b = BigInt(v);
    this.varint(b >= 0n ? b << 1n : (-b << 1n) - 1n);
  }
  f64(v: number) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.bytes.push(...b);
  }
  str(s: string) {
    const b = new TextEncoder().encode(s);
    this.varint(BigInt(b.length));
    this.bytes.push(...b);
  }
}

const KIND = { numeric: 1, grid: 2, categorical: 3, sketch: 3 } as const;

export function wireProfile(columns: WireColumn[], meta: Record<string, string> = {}): Uint8Array {
  const o = new Out();
  o.bytes.push(...new TextEncoder().encode('EWPF'));
  o.u8(1);
  const entries = Object.entries(meta);
  o.varint(BigInt(entries.length));
  for (const [k, v] of entries) {
    o.str(k);
    o.str(v);
  }
  o.varint(BigInt(columns.length));
  for (const c of columns) {
    o.str(c.name);
    o.u8(KIND[c.kind]);
    o.u8('noisy' in c && c.noisy ? 1 : 0);
    for (const v of [c.count, c.missing ?? 0, c.nan ?? 0, c.posInf ?? 0, c.negInf ?? 0]) o.zz(v);
    if (c.kind === 'categorical') {
      o.u8(0); // exact
      o.varint(256n);
      o.zz(0);
      o.varint(1n);
      o.str(c.label);
      o.zz(c.labelCount);
      continue;
    }
    if (c.kind === 'sketch') {
      o.u8(1); // frequent items + HyperLogLog
      o.varint(1n);
      o.zz(0);
      o.varint(0n);
      o.u8(1); // sparse registers
      o.varint(BigInt(c.registers));
      for (let i = 0; i < c.registers; i++) {
        o.varint(1n);
        o.u8(1);
      }
      continue;
    }
    const m = c.moments;
    o.zz(m.n);
    for (const v of [m.sum, m.mean, m.m2, m.min, m.max]) o.f64(v);
    if (c.kind === 'numeric') {
      o.zz(5); // scale
      o.varint(320n); // bucket budget
      o.zz(c.zero);
      o.varint(0n); // no positive buckets
      o.varint(0n); // no negative buckets
    } else {
      o.varint(BigInt(c.edges.length));
      for (const e of c.edges) o.f64(e);
      for (const v of c.cells) o.zz(v);
    }
  }
  return Uint8Array.from(o.bytes);
}

/** n zeros: the one numeric column whose buckets need no index arithmetic. */
export function zeros(name: string, n: number, over: Partial<WireMoments> = {}): WireColumn {
  return { kind: 'numeric', name, count: n, zero: n, moments: { n, sum: 0, mean: 0, m2: 0, min: 0, max: 0, ...over } };
}
