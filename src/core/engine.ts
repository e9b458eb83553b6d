// The raw engine: one wasm instance, its exports, and the few moves that carry data across —
// copying arrays into the scratch buffer and reading the result buffer back.
import { CodecError, CoreError } from './errors.ts';

export interface Exports {
  memory: WebAssembly.Memory;
  scratch(bytes: number): number;
  result_ptr(): number;
  result_len(): number;
  last_error(): number;
  live_handles(): number;
  profile_new(): number;
  profile_free(h: number): void;
  profile_add_numeric(h: number, name: number, nameLen: number, scale: number, maxBuckets: number, center: number): number;
  profile_add_grid(h: number, name: number, nameLen: number, edges: number, nEdges: number): number;
  profile_add_categorical(
    h: number,
    name: number,
    nameLen: number,
    capacity: number,
    bytes: number,
    offsets: number,
    nVocab: number,
  ): number;
  column_add_f64(h: number, col: number, ptr: number, n: number): number;
  column_add_f32(h: number, col: number, ptr: number, n: number): number;
  column_add_missing(h: number, col: number, n: number): number;
  column_add_labels(h: number, col: number, bytes: number, offsets: number, n: number): number;
  table_add_f64(h: number, cols: number, nCols: number, data: number, nRows: number): number;
  table_add_f32(h: number, cols: number, nCols: number, data: number, nRows: number): number;
  profile_set_meta(h: number, k: number, kLen: number, v: number, vLen: number): number;
  profile_merge(h: number, other: number): number;
  profile_encode(h: number): number;
  profile_decode(ptr: number, len: number): number;
  profile_decode_upload(ptr: number, len: number): number;
  profile_add_noise(h: number, scale: number, seed: number): number;
  profile_clear_meta(h: number): number;
  profile_cells(h: number): number;
  profile_set_cells(h: number, ptr: number, n: number): number;
  shares_split(cells: number, mask: number, out: number, n: number): void;
  shares_add(acc: number, x: number, n: number): void;
  shares_noise(acc: number, n: number, scale: number, seed: number): number;
  profile_withhold_registers(h: number): number;
  profile_column_count(h: number): number;
  profile_find(h: number, name: number, nameLen: number): number;
  profile_meta_count(h: number): number;
  profile_meta_entry(h: number, i: number): number;
  column_name(h: number, i: number): number;
  column_kind(h: number, i: number): number;
  profile_columns(h: number): number;
  column_summary(h: number, i: number): number;
  column_quantile(h: number, i: number, q: number): number;
  column_count_at_most(h: number, i: number, x: number): number;
  column_percentile_edges(h: number, i: number, bins: number): number;
  column_buckets(h: number, i: number): number;
  compare_columns(ha: number, ia: number, hb: number, ib: number): number;
  roc_auc(h: number, ip: number, negs: number, nNeg: number): number;
  calibration_error(ha: number, ia: number, hc: number, ic: number): number;
  confusion_metrics(ptr: number, k: number): number;
  noise_error(scales: number, uploads: number, n: number): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Engine {
  readonly x: Exports;

  constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as unknown as Exports;
  }

  static async instantiate(module: WebAssembly.Module): Promise<Engine> {
    let engine: Engine | undefined;
    const instance = await WebAssembly.instantiate(module, {
      env: {
        abort(msg: number, file: number, line: number, col: number) {
          const text = engine ? `${engine.asString(msg)} at ${engine.asString(file)}:${line}:${col}` : 'abort';
          throw new CoreError(`edgewatch core failed: ${text}`);
        },
      },
    });
    engine = new Engine(instance);
    return engine;
  }

  get bytes(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer);
  }

  /** An AssemblyScript string (UTF-16, byte length stored just before it). */
  asString(ptr: number): string {
    if (!ptr) return '';
    const len = new Uint32Array(this.x.memory.buffer, ptr - 4, 1)[0] >>> 1;
    return String.fromCharCode(...new Uint16Array(this.x.memory.buffer, ptr, len));
  }

  lastError(): string {
    const len = this.x.last_error();
    const text = decoder.decode(this.bytes.subarray(this.x.result_ptr(), this.x.result_ptr() + len));
    // A reason may quote bytes of the input (a name, a key): control characters are escaped so
    // that every error stays one line, whatever the bytes were.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
    return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }

  /** For calls that answer 0 on failure (booleans, handles): throws the engine's reason. */
  ok(value: number, what: string, ErrorType: typeof CoreError = CoreError): number {
    if (value <= 0) throw new ErrorType(`${what}: ${this.lastError()}`);
    return value;
  }

  /** For calls that answer an index or length, -1 on failure. */
  index(value: number, what: string): number {
    if (value < 0) throw new CoreError(`${what}: ${this.lastError()}`);
    return value;
  }

  /** Copies bytes into scratch; returns the pointer (valid until the next scratch use). */
  putBytes(data: Uint8Array): number {
    const ptr = this.x.scratch(Math.max(data.byteLength, 1));
    this.bytes.set(data, ptr);
    return ptr;
  }

  putString(s: string): [number, number] {
    const data = encoder.encode(s);
    return [this.putBytes(data), data.byteLength];
  }

  /**
   * Lays out strings for the engine: n+1 u32 offsets, then the UTF-8 bytes. Returns pointers to
   * both. Encodes straight into wasm memory, one pass.
   */
  putLabels(labels: readonly string[]): { offsets: number; bytes: number } {
    let worst = 0;
    for (const s of labels) worst += s.length * 3;
    const head = (labels.length + 1) * 4;
    const base = this.x.scratch(head + worst + 8);
    const mem = this.bytes;
    const offsets = new Uint32Array(this.x.memory.buffer, base, labels.length + 1);
    const bytesPtr = base + head;
    let pos = 0;
    for (let i = 0; i < labels.length; i++) {
      offsets[i] = pos;
      // ASCII (nearly every label) is written byte by byte: encodeInto and its view per label cost
      // more than the core's own work. From the first other character on, the encoder takes over.
      const s = labels[i];
      const at = bytesPtr + pos;
      let j = 0;
      for (; j < s.length; j++) {
        const c = s.charCodeAt(j);
        if (c >= 0x80) break;
        mem[at + j] = c;
      }
      pos += j;
      if (j < s.length) pos += encoder.encodeInto(s.slice(j), mem.subarray(bytesPtr + pos)).written;
    }
    offsets[labels.length] = pos;
    return { offsets: base, bytes: bytesPtr };
  }

  /** The result buffer, copied out (the engine reuses it). */
  result(len = this.x.result_len()): Uint8Array {
    const ptr = this.x.result_ptr();
    return this.bytes.slice(ptr, ptr + len);
  }

  resultF64(count: number): Float64Array {
    const ptr = this.x.result_ptr();
    return new Float64Array(this.x.memory.buffer.slice(ptr, ptr + count * 8));
  }

  name(h: number, i: number): string {
    const len = this.index(this.x.column_name(h, i), 'column name');
    return new ResultReader(this.result(len)).str();
  }

  decode(bytes: Uint8Array): number {
    const ptr = this.putBytes(bytes);
    return this.ok(this.x.profile_decode(ptr, bytes.byteLength), 'cannot read profile', CodecError);
  }

  decodeUpload(bytes: Uint8Array): number {
    const ptr = this.putBytes(bytes);
    return this.ok(this.x.profile_decode_upload(ptr, bytes.byteLength), 'cannot read upload', CodecError);
  }
}

/** Sequential reader for what the engine writes to its result buffer (f64s and strings). */
export class ResultReader {
  private pos = 0;
  private view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f64s(n: number): number[] {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.f64();
    return out;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.data[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  }

  str(): string {
    const n = this.varint();
    const s = decoder.decode(this.data.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}
