// `edgewatch profile` on real and generated tables: every count, missing count, mean, extreme
// and quantile the profile holds must match an exact computation on the raw file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ColumnSummary } from '../../src/core/index.ts';
import { DATA, edgewatch, exactQuantile, ok, readCsv, tempDir, toCsv, truthOf, type RawRow } from './helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

interface Inspected {
  format: number;
  bytes: number;
  meta: Record<string, string>;
  columns: Record<string, { summary: ColumnSummary; quantiles?: Record<string, number> }>;
}

async function profileAndInspect(input: string, extra: string[] = []): Promise<Inspected> {
  const out = join(dir, `${Math.random().toString(36).slice(2)}.ewp`);
  await ok(['profile', input, '--out', out, '--quiet', ...extra]);
  const inspected = JSON.parse((await ok(['inspect', out, '--json'])).stdout) as Inspected;
  expect(inspected.bytes).toBe(readFileSync(out).byteLength);
  return inspected;
}

/** Checks one profiled column against the raw rows it came from. */
function expectColumnMatches(rows: RawRow[], name: string, got: Inspected['columns'][string]) {
  const truth = truthOf(rows, name);
  const s = got.summary;
  expect(s.kind, name).toBe(truth.kind);
  expect(s.count, name).toBe(truth.count);
  expect(s.missing, name).toBe(truth.missing);
  if (s.kind === 'categorical') {
    const exact = [...truth.counts.entries()];
    if (s.mode === 'exact') {
      expect(s.distinct, name).toBe(truth.counts.size);
      expect(new Map(s.items.map((i) => [i.value, i.count])), name).toEqual(truth.counts);
    } else {
      // Frequent items: a kept item's count is never over, and at most errorBound under, the truth.
      for (const item of s.items) {
        const t = truth.counts.get(item.value)!;
        expect(item.count, `${name}=${item.value}`).toBeLessThanOrEqual(t);
        expect(item.count, `${name}=${item.value}`).toBeGreaterThanOrEqual(t - s.errorBound);
      }
      expect(exact.length).toBeGreaterThan(s.items.length - 1);
    }
    return;
  }
  expect(s.kind).toBe('numeric');
  if (s.kind !== 'numeric') return;
  expect(s.finite, name).toBe(truth.values.length);
  // Sums of fractions depend on the order of additions (the core folds batches with Chan's
  // merge), so the moments match to the last few bits rather than bit for bit.
  expectClose(s.sum, truth.sum, `${name} sum`);
  expectClose(s.mean, truth.mean, `${name} mean`);
  expect(s.min, name).toBe(truth.values.reduce((a, b) => Math.min(a, b), Infinity));
  expect(s.max, name).toBe(truth.values.reduce((a, b) => Math.max(a, b), -Infinity));
  for (const [q, estimate] of Object.entries(got.quantiles!)) {
    const exact = exactQuantile(truth.values, Number(q));
    // The bound itself, plus a rounding ulp of the bound's own computation.
    const bound = s.relativeError! * Math.abs(exact) * (1 + 1e-12);
    expect(Math.abs(estimate - exact), `${name} q${q}: ${estimate} vs ${exact}`).toBeLessThanOrEqual(bound);
  }
}

function expectClose(got: number, want: number, what: string) {
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
}

/** A summary without its floating-point moments, which may differ in the last bits. */
function withoutMoments(s: ColumnSummary) {
  const { sum, mean, variance, std, ...rest } = s as ColumnSummary & { sum?: number; mean?: number; variance?: number; std?: number };
  void sum, mean, variance, std;
  return rest;
}

describe('edgewatch profile', () => {
  it.each(['weather.csv', 'seattle-weather.csv', 'birdstrikes.csv'])(
    'profiles %s exactly (counts, missing, means, quantiles)',
    async (file) => {
      const path = join(DATA, file);
      const rows = readCsv(path);
      const got = await profileAndInspect(path);
      expect(Object.keys(got.columns).sort()).toEqual(Object.keys(rows[0]).sort());
      for (const name of Object.keys(rows[0])) expectColumnMatches(rows, name, got.columns[name]);
      expect(got.meta.source).toBe(file);
      expect(got.format).toBe(2);
    },
  );

  it('finds the missing speeds of birdstrikes.csv', async () => {
    const got = await profileAndInspect(join(DATA, 'birdstrikes.csv'));
    const speed = got.columns['Speed IAS in knots'].summary;
    const raw = readCsv(join(DATA, 'birdstrikes.csv')).filter((r) => r['Speed IAS in knots'] === '').length;
    expect(raw).toBeGreaterThan(0);
    expect(speed.missing).toBe(raw);
  });

  it('profiles a JSON array (flights-2k.json) exactly', async () => {
    const path = join(DATA, 'flights-2k.json');
    const rows = JSON.parse(readFileSync(path, 'utf8')) as RawRow[];
    const got = await profileAndInspect(path);
    for (const name of Object.keys(rows[0])) expectColumnMatches(rows, name, got.columns[name]);
    expect(got.columns.delay.summary.kind).toBe('numeric');
    expect(got.columns.origin.summary.kind).toBe('categorical');
  });

  it('profiles flights-200k.json (many 1 MiB chunks, elements split across them) exactly', async () => {
    const path = join(DATA, 'flights-200k.json');
    const rows = JSON.parse(readFileSync(path, 'utf8')) as RawRow[];
    expect(readFileSync(path).byteLength).toBeGreaterThan(8 * 1024 * 1024);
    const got = await profileAndInspect(path);
    expect(Object.keys(got.columns).sort()).toEqual(Object.keys(rows[0]).sort());
    for (const name of Object.keys(rows[0])) expectColumnMatches(rows, name, got.columns[name]);
  });

  it('keeps multi-byte characters whole across chunk boundaries', async () => {
    const labels = ['café', '日本語', 'naïve', '😀 emoji', 'plain'];
    const rows: RawRow[] = [];
    for (let i = 0; rows.length < 100000; i++) rows.push({ label: labels[(i * 7) % labels.length], pad: '日'.repeat(i % 13), n: i % 1000 });
    // The command reads 1 MiB chunks: shift the text until byte 1 MiB falls inside a character.
    let bytes = Buffer.from(toCsv(['label', 'pad', 'n'], rows));
    for (let shift = 1; (bytes[1 << 20] & 0xc0) !== 0x80; shift++) {
      expect(shift).toBeLessThan(64);
      rows[0].label = 'x'.repeat(shift);
      bytes = Buffer.from(toCsv(['label', 'pad', 'n'], rows));
    }
    const path = join(dir, 'utf8.csv');
    writeFileSync(path, bytes);
    const got = await profileAndInspect(path);
    for (const name of ['label', 'pad', 'n']) expectColumnMatches(readCsv(path), name, got.columns[name]);
  });

  it('profiles generated JSON Lines with missing keys, nulls, empty strings and numeric text', async () => {
    const rows: RawRow[] = [];
    for (let i = 0; i < 5000; i++) {
      const row: RawRow = { id: i, x: ((i * 7919) % 1000) / 7 - 40, label: ['red', 'green', 'blue'][i % 3] };
      if (i % 11 === 0) delete row.x;
      if (i % 13 === 0) row.x = null;
      if (i % 17 === 0) row.label = '';
      if (i % 5 === 0) row.text = String(i * 3); // numeric text where present
      rows.push(row);
    }
    const path = join(dir, 'gen.jsonl');
    writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n\n');
    const got = await profileAndInspect(path);
    // A key missing from a row is a missing cell: the reference sees it as undefined.
    for (const name of ['id', 'x', 'label', 'text']) expectColumnMatches(rows, name, got.columns[name]);
    expect(got.columns.text.summary.kind).toBe('numeric');
  });

  it('splits JSON array elements correctly around brackets, commas and escapes inside strings', async () => {
    const rows: RawRow[] = [
      { s: 'a,]}[{', n: 1 },
      { s: 'quote " and \\ backslash', n: 2.5 },
      { s: '', n: null },
      { s: 'a,]}[{', n: -3, nested: { deep: [1, 2] } },
    ];
    const path = join(dir, 'tricky.json');
    writeFileSync(path, ' \n' + JSON.stringify(rows, null, 1) + '\n');
    const got = await profileAndInspect(path);
    expectColumnMatches(rows, 's', got.columns.s);
    expectColumnMatches(rows, 'n', got.columns.n);
    expect(got.columns.nested.summary.kind).toBe('categorical');
    expect(got.columns.nested.summary.missing).toBe(3);
  });

  it('reads TSV and takes the format from --format when the name does not tell', async () => {
    const rows = readCsv(join(DATA, 'seattle-weather.csv'));
    const header = Object.keys(rows[0]);
    const path = join(dir, 'seattle.data');
    writeFileSync(path, [header.join('\t'), ...rows.map((r) => header.map((h) => r[h]).join('\t'))].join('\n'));
    const got = await profileAndInspect(path, ['--format', 'tsv']);
    for (const name of header) expectColumnMatches(rows, name, got.columns[name]);
  });

  it('records with a given schema in one pass (a numeric-looking column kept categorical)', async () => {
    const schemaPath = join(dir, 'schema.json');
    writeFileSync(
      schemaPath,
      JSON.stringify({
        columns: [
          { name: 'wind', kind: 'categorical' },
          { name: 'temp_max', kind: 'numeric', scale: 2 },
        ],
      }),
    );
    const path = join(DATA, 'seattle-weather.csv');
    const got = await profileAndInspect(path, ['--schema', schemaPath]);
    expect(Object.keys(got.columns)).toEqual(['wind', 'temp_max']);
    const rows = readCsv(path);
    const wind = got.columns.wind.summary;
    expect(wind.kind).toBe('categorical');
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(String(r.wind), (counts.get(String(r.wind)) ?? 0) + 1);
    if (wind.kind === 'categorical') expect(new Map(wind.items.map((i) => [i.value, i.count]))).toEqual(counts);
    expect(got.columns.temp_max.summary.kind === 'numeric' && got.columns.temp_max.summary.scale).toBe(2);
    expectColumnMatches(rows, 'temp_max', got.columns.temp_max);
  });

  it('stores --meta pairs and honours --scale', async () => {
    const got = await profileAndInspect(join(DATA, 'seattle-weather.csv'), [
      '--meta',
      'model=weather',
      '--meta',
      'note=a=b',
      '--scale',
      '3',
    ]);
    expect(got.meta).toEqual({ source: 'seattle-weather.csv', model: 'weather', note: 'a=b' });
    const s = got.columns.wind.summary;
    expect(s.kind === 'numeric' && s.scale).toBe(3);
  });

  it('gives the same profile whatever the batch size', async () => {
    const path = join(DATA, 'weather.csv');
    const small = await profileAndInspect(path, ['--batch', '7']);
    const whole = await profileAndInspect(path);
    for (const name of Object.keys(whole.columns)) {
      const a = small.columns[name];
      const b = whole.columns[name];
      expect(withoutMoments(a.summary), name).toEqual(withoutMoments(b.summary));
      expect(a.quantiles, name).toEqual(b.quantiles);
      if (a.summary.kind === 'numeric' && b.summary.kind === 'numeric') expectClose(a.summary.mean, b.summary.mean, name);
    }
  });

  it('reports progress on stderr with --progress and stays silent with --quiet', async () => {
    const path = join(DATA, 'seattle-weather.csv');
    const loud = await ok(['profile', path, '--out', join(dir, 'loud.ewp'), '--progress']);
    const rows = readCsv(path).length;
    expect(loud.stderr).toMatch(/pass 1\/2 schema seattle-weather\.csv: .* MiB \(100%\), 1,461 rows, [\d,]+ rows\/s done/);
    expect(loud.stderr).toMatch(/pass 2\/2 record seattle-weather\.csv: .*1,461 rows/);
    expect(loud.stderr).toContain(`${rows.toLocaleString('en-US')} rows, 6 columns`);
    expect(loud.stdout).toBe('');
    const quiet = await ok(['profile', path, '--out', join(dir, 'quiet.ewp'), '--quiet']);
    expect(quiet.stderr).toBe('');
  });

  it('writes nothing when the input is bad', async () => {
    const path = join(dir, 'half-bad.csv');
    writeFileSync(path, 'a,b\n1,2\n3\n');
    const out = join(dir, 'never.ewp');
    const r = await edgewatch(['profile', path, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(existsSync(out)).toBe(false);
  });
});
