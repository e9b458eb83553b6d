// A profile: named column sketches living in the engine, reached through a handle.
import type { Engine } from './engine.ts';
import { ResultReader } from './engine.ts';
import { OTHER } from './columns.ts';
import { CoreError } from './errors.ts';
import { readSummary } from './summary.ts';
import { parseNumber } from './schema.ts';
import type { CellValue, ColumnKind, ColumnSpec, ColumnSummary, Schema } from './types.ts';

const KINDS: Record<number, ColumnKind> = { 1: 'numeric', 2: 'grid', 3: 'categorical' };
/** Labels per engine call: bounds the scratch buffer for big categorical batches. */
const CHUNK = 65536;

// A profile dropped without dispose() is still released, eventually.
const leaked = new FinalizationRegistry<{ engine: Engine; handle: number }>(({ engine, handle }) => engine.x.profile_free(handle));

export class Profile {
  #engine: Engine;
  #handle: number;
  #token = {};
  #columns: { name: string; kind: ColumnKind }[] | undefined;
  /** Column index by name: a wide profile's reads look up every column, a scan each was quadratic. */
  #byName: Map<string, number> | undefined;

  /** @internal Profiles are made by the core: core.profile(schema) or core.profileFromBytes(bytes). */
  constructor(engine: Engine, handle: number) {
    this.#engine = engine;
    this.#handle = handle;
    leaked.register(this, { engine, handle }, this.#token);
  }

  /** @internal */
  get handle(): number {
    if (!this.#handle) throw new CoreError('this profile was disposed');
    return this.#handle;
  }

  /** @internal */
  get engine(): Engine {
    return this.#engine;
  }

  /** @internal */
  addColumn(spec: ColumnSpec): void {
    const e = this.#engine;
    const x = e.x;
    this.#columns = undefined;
    this.#byName = undefined;
    const nameBytes = new TextEncoder().encode(spec.name);
    const what = `column '${spec.name}'`;
    if (spec.kind === 'numeric') {
      const [ptr, len] = e.putString(spec.name);
      // 'auto' by default: offset columns (years, kelvin, prices) keep their resolution.
      const center = (spec.center ?? 'auto') === 'auto' ? NaN : spec.center;
      if (typeof center !== 'number') throw new CoreError(`${what}: center must be a number or 'auto'`);
      e.index(x.profile_add_numeric(this.handle, ptr, len, spec.scale ?? -1000, spec.maxBuckets ?? 0, center), what);
    } else if (spec.kind === 'grid') {
      const edges = spec.edges ? Float64Array.from(spec.edges) : new Float64Array(0);
      if (spec.edges && edges.length === 0) throw new CoreError(`${what}: a grid needs at least one edge`);
      // Name and edges share the scratch buffer: edges first (8-aligned), the name after them.
      const base = x.scratch(edges.byteLength + nameBytes.byteLength + 8);
      new Float64Array(x.memory.buffer, base, edges.length).set(edges);
      e.bytes.set(nameBytes, base + edges.byteLength);
      e.index(x.profile_add_grid(this.handle, base + edges.byteLength, nameBytes.byteLength, base, edges.length), what);
    } else if (spec.kind === 'categorical') {
      const vocab = spec.vocabulary;
      const labels = vocab ? [...vocab, spec.name] : [spec.name];
      const { offsets, bytes } = e.putLabels(labels);
      const view = new Uint32Array(x.memory.buffer, offsets, labels.length + 1);
      const namePtr = bytes + view[labels.length - 1];
      const nameLen = view[labels.length] - view[labels.length - 1];
      e.index(
        x.profile_add_categorical(this.handle, namePtr, nameLen, spec.capacity ?? 0, bytes, offsets, vocab ? vocab.length : -1),
        what,
      );
    } else {
      throw new CoreError(`${what}: unknown kind '${(spec as { kind: string }).kind}'`);
    }
  }

  /** Columns in order, with their kinds. */
  get columns(): readonly { name: string; kind: ColumnKind }[] {
    if (!this.#columns) {
      // One engine call for all of them: decoding an upload reads its columns first.
      const e = this.#engine;
      const r = new ResultReader(e.result(e.index(e.x.profile_columns(this.handle), 'columns')));
      const n = r.f64();
      this.#columns = [];
      for (let i = 0; i < n; i++) {
        const kind = KINDS[r.f64()];
        this.#columns.push({ name: r.str(), kind });
      }
    }
    return this.#columns;
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** Index of a column, or -1. */
  indexOf(name: string): number {
    if (!this.#byName) this.#byName = new Map(this.columns.map((c, i) => [c.name, i]));
    return this.#byName.get(name) ?? -1;
  }

  #column(name: string): number {
    const i = this.indexOf(name);
    if (i < 0) throw new CoreError(`no column '${name}' in this profile`);
    return i;
  }

  /** Records numbers (Float64Array, Float32Array or plain arrays with nulls) into a numeric/grid column. */
  recordNumbers(name: string, values: Float64Array | Float32Array | readonly CellValue[]): void {
    const col = this.#column(name);
    if (values instanceof Float64Array || values instanceof Float32Array) {
      this.#addTyped(col, values);
      return;
    }
    const { present, missing } = toNumbers(values);
    this.#addTyped(col, present);
    if (missing > 0) this.#engine.ok(this.#engine.x.column_add_missing(this.handle, col, missing), name);
  }

  /**
   * One engine call per array, however long: a batch's moments merge into the running ones in one
   * step, so recording A then B gives the same bits as merging their profiles.
   */
  #addTyped(col: number, values: Float64Array | Float32Array): void {
    const n = values.length;
    if (n === 0) return;
    const x = this.#engine.x;
    const f32 = values instanceof Float32Array;
    const ptr = x.scratch(n * (f32 ? 4 : 8));
    (f32 ? new Float32Array(x.memory.buffer, ptr, n) : new Float64Array(x.memory.buffer, ptr, n)).set(values);
    const ok = f32 ? x.column_add_f32(this.handle, col, ptr, n) : x.column_add_f64(this.handle, col, ptr, n);
    this.#engine.ok(ok, `column '${this.columns[col].name}'`);
  }

  /** Records labels into a categorical column; null, undefined and '' are missing. */
  recordLabels(name: string, values: readonly CellValue[]): void {
    const col = this.#column(name);
    const labels: string[] = [];
    let missing = 0;
    for (const v of values) {
      if (v === null || v === undefined || v === '') missing++;
      else labels.push(String(v));
    }
    const e = this.#engine;
    for (let start = 0; start < labels.length; start += CHUNK) {
      const part = labels.slice(start, start + CHUNK);
      const { offsets, bytes } = e.putLabels(part);
      e.ok(e.x.column_add_labels(this.handle, col, bytes, offsets, part.length), `column '${name}'`);
    }
    if (missing > 0) e.ok(e.x.column_add_missing(this.handle, col, missing), name);
  }

  /** Records whole columns at once: { name: values }. Columns not given are left alone. */
  recordColumns(columns: Record<string, Float64Array | Float32Array | readonly CellValue[]>): void {
    const kinds = new Map(this.columns.map((c) => [c.name, c.kind]));
    for (const name of Object.keys(columns)) {
      if (!kinds.has(name)) throw new CoreError(`no column '${name}' in this profile`);
    }
    for (const [name, values] of Object.entries(columns)) {
      if (kinds.get(name) === 'categorical') {
        const labels = values instanceof Float64Array || values instanceof Float32Array ? Array.from(values) : values;
        this.recordLabels(name, labels);
      } else {
        this.recordNumbers(name, values);
      }
    }
  }

  /**
   * Records rows (objects keyed by column name). A column a row does not mention is missing in
   * that row; keys that are not columns are ignored.
   */
  recordRows(rows: readonly Record<string, CellValue>[]): void {
    const out: Record<string, CellValue[]> = {};
    for (const { name } of this.columns) {
      const values = new Array<CellValue>(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = rows[i][name];
      out[name] = values;
    }
    this.recordColumns(out);
  }

  /**
   * Records a row-major numeric table (e.g. a model's [batch, features] input) in one engine
   * call; `names[j]` is the column fed by the table's column j.
   */
  recordTable(values: Float64Array | Float32Array, names: readonly string[]): void {
    const nCols = names.length;
    if (nCols === 0 || values.length % nCols !== 0) {
      throw new CoreError(`a table of ${values.length} values does not split into ${nCols} columns`);
    }
    const cols = names.map((n) => this.#column(n));
    const x = this.#engine.x;
    const f32 = values instanceof Float32Array;
    const head = Math.ceil((nCols * 4) / 8) * 8;
    const base = x.scratch(head + values.byteLength);
    new Int32Array(x.memory.buffer, base, nCols).set(cols);
    const data = base + head;
    (f32 ? new Float32Array(x.memory.buffer, data, values.length) : new Float64Array(x.memory.buffer, data, values.length)).set(values);
    const rows = values.length / nCols;
    const ok = f32 ? x.table_add_f32(this.handle, base, nCols, data, rows) : x.table_add_f64(this.handle, base, nCols, data, rows);
    this.#engine.ok(ok, 'table');
  }

  /** Adds `other` into this profile (exact; columns only in `other` are added). */
  merge(other: Profile): this {
    if (other.#engine !== this.#engine) throw new CoreError('profiles from different cores cannot be merged');
    this.#engine.ok(this.#engine.x.profile_merge(this.handle, other.handle), 'cannot merge');
    this.#columns = undefined;
    this.#byName = undefined;
    return this;
  }

  /** String metadata that travels inside the bytes (e.g. an upload's header). */
  get meta(): Record<string, string> {
    const e = this.#engine;
    const n = e.index(e.x.profile_meta_count(this.handle), 'meta');
    // Keys come from the bytes: a null prototype keeps "__proto__" or "constructor" plain keys.
    const out: Record<string, string> = Object.create(null);
    for (let i = 0; i < n; i++) {
      const r = new ResultReader(e.result(e.index(e.x.profile_meta_entry(this.handle, i), 'meta')));
      const k = r.str();
      out[k] = r.str();
    }
    return out;
  }

  /** Sets the given entries; the others stay (see replaceMeta). */
  set meta(values: Record<string, string>) {
    for (const [k, v] of Object.entries(values)) this.setMeta(k, v);
  }

  /** Makes `values` the whole metadata: every other entry is dropped. */
  replaceMeta(values: Record<string, string>): void {
    const e = this.#engine;
    e.ok(e.x.profile_clear_meta(this.handle), 'meta');
    this.meta = values;
  }

  setMeta(key: string, value: string): void {
    const e = this.#engine;
    const { offsets, bytes } = e.putLabels([key, String(value)]);
    const o = new Uint32Array(e.x.memory.buffer, offsets, 3);
    e.ok(e.x.profile_set_meta(this.handle, bytes + o[0], o[1] - o[0], bytes + o[1], o[2] - o[1]), 'meta');
  }

  toBytes(): Uint8Array {
    const e = this.#engine;
    return e.result(e.index(e.x.profile_encode(this.handle), 'encode'));
  }

  /** The profile's schema: enough to build an empty profile that merges with this one. */
  schema(): Schema {
    return {
      columns: this.columns.map(({ name }) => {
        const s = this.summary(name);
        if (s.kind === 'grid') return { name, kind: 'grid', edges: s.edges };
        if (s.kind === 'numeric') {
          // The center travels so that windows recorded from this schema share its buckets.
          return { name, kind: 'numeric', scale: s.scale, center: Number.isNaN(s.center) ? 'auto' : s.center };
        }
        if (s.kind !== 'categorical') throw new CoreError(`column '${name}': unknown kind`);
        return s.mode === 'vocabulary'
          ? { name, kind: 'categorical', vocabulary: s.items.map((i) => i.value).filter((v) => v !== OTHER) }
          : { name, kind: 'categorical' };
      }),
    };
  }

  summary(name: string): ColumnSummary {
    const e = this.#engine;
    const col = this.#column(name);
    return readSummary(name, e.result(e.index(e.x.column_summary(this.handle, col), `column '${name}'`)));
  }

  /** Quantiles of a numeric column's finite values (rank q·(n−1), lower). */
  quantiles(name: string, qs: readonly number[]): number[] {
    const col = this.#column(name);
    return qs.map((q) => this.#engine.x.column_quantile(this.handle, col, q));
  }

  /**
   * How many of a numeric column's finite values are at or below `x` (the share of the bucket
   * holding x interpolated, so exact to within that bucket's count).
   */
  countAtMost(name: string, x: number): number {
    return this.#engine.x.column_count_at_most(this.handle, this.#column(name), x);
  }

  /**
   * The column's cells as right-closed buckets of x itself: `counts[0]` holds (−∞, bounds[0]],
   * `counts[k]` (bounds[k−1], bounds[k]], the last (bounds[m−1], +∞). Exact, whatever the center:
   * what an OpenTelemetry explicit-bucket histogram of a centred column carries.
   */
  buckets(name: string): { bounds: number[]; counts: number[] } {
    const e = this.#engine;
    const f = e.resultF64(e.index(e.x.column_buckets(this.handle, this.#column(name)), `column '${name}'`));
    const m = f[0];
    return { bounds: Array.from(f.subarray(1, 1 + m)), counts: Array.from(f.subarray(1 + m)) };
  }

  /** Strictly increasing percentile edges for a private-mode grid with `bins` bins. */
  percentileEdges(name: string, bins = 64): number[] {
    const e = this.#engine;
    const n = e.index(e.x.column_percentile_edges(this.handle, this.#column(name), bins), `column '${name}'`);
    return Array.from(e.resultF64(n));
  }

  /**
   * Adds two-sided geometric noise of scale b to every count cell and drops exact moments and
   * extremes (assembly/noise.ts has the mechanism). `seed` must be 32 random bytes; by default they
   * come from crypto.getRandomValues. Only fixed-grid and vocabulary columns can be noised.
   */
  addNoise(scale: number, seed: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): void {
    if (seed.byteLength !== 32) throw new CoreError('noise seed must be 32 bytes');
    const e = this.#engine;
    const ptr = e.putBytes(seed);
    e.ok(e.x.profile_add_noise(this.handle, scale, ptr), 'cannot add noise');
  }

  /**
   * Drops the HyperLogLog registers of categorical sketches (columns past their capacity): they
   * would let anyone test whether a given value was seen. Their distinct counts become NaN.
   */
  withholdRegisters(): void {
    const e = this.#engine;
    e.ok(e.x.profile_withhold_registers(this.handle), 'cannot withhold registers');
  }

  dispose(): void {
    if (!this.#handle) return;
    this.#engine.x.profile_free(this.#handle);
    leaked.unregister(this.#token);
    this.#handle = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Splits cells into present numbers and a count of missing ones (null, undefined, ''). A value
 * that is not a number in a numeric column is recorded as NaN, which the sketch counts.
 */
function toNumbers(values: readonly CellValue[]): { present: Float64Array; missing: number } {
  const present = new Float64Array(values.length);
  let n = 0;
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined || v === '') missing++;
    else present[n++] = parseNumber(v);
  }
  return { present: present.subarray(0, n), missing };
}
