// `edgewatch drift`: the --json report has exactly the documented shape, its counts, missing rates
// and means match the raw files, and the verdicts tell real drift from a random split.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/core/index.ts';
import { DATA, edgewatch, exactKs, ok, readCsv, shuffled, tempDir, toCsv, truthOf, type RawRow } from './helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const NUMERIC_KEYS = [
  'count',
  'drifted',
  'hellinger',
  'hellinger_bound',
  'js',
  'js_bound',
  'kind',
  'ks',
  'mean',
  'missing_rate',
  'psi',
  'psi_bound',
  'quality',
  'quantiles',
  'wasserstein',
  'wasserstein_bound',
];
const CATEGORICAL_KEYS = ['chi2', 'count', 'drifted', 'js', 'kind', 'linf', 'missing_rate', 'psi', 'quality'];
const NUMERIC_CHECKS = [
  'missing_rate_change',
  'nan_share_rise',
  'pos_inf_share_rise',
  'neg_inf_share_rise',
  'outside_baseline_range',
  'zero_share_change',
];
const CATEGORICAL_CHECKS = ['missing_rate_change', 'new_category_share'];

async function profileOf(name: string, header: string[], rows: RawRow[]): Promise<string> {
  const csv = join(dir, `${name}.csv`);
  writeFileSync(csv, toCsv(header, rows));
  const out = join(dir, `${name}.ewp`);
  await ok(['profile', csv, '--out', out, '--quiet']);
  return out;
}

async function driftJson(a: string, b: string, extra: string[] = []): Promise<{ report: DriftReport; raw: string }> {
  const r = await ok(['drift', a, b, '--json', ...extra]);
  return { report: JSON.parse(r.stdout) as DriftReport, raw: r.stdout };
}

const weather = readCsv(join(DATA, 'weather.csv'));
const seattle = weather.filter((r) => r.location === 'Seattle');
const newYork = weather.filter((r) => r.location === 'New York');
const WEATHER_COLUMNS = ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'];

describe('edgewatch drift', () => {
  let seattlePath: string;
  let newYorkPath: string;
  beforeAll(async () => {
    expect(seattle.length).toBeGreaterThan(1000);
    expect(newYork.length).toBeGreaterThan(1000);
    seattlePath = await profileOf('seattle', WEATHER_COLUMNS, seattle);
    newYorkPath = await profileOf('new-york', WEATHER_COLUMNS, newYork);
  });

  it('prints exactly the documented JSON shape', async () => {
    const { report } = await driftJson(seattlePath, newYorkPath);
    expect(Object.keys(report)).toEqual(['columns', 'schema']);
    expect(report.schema).toEqual({ flagged: false, missing: [], added: [], changed: [] });
    expect(Object.keys(report.columns).sort()).toEqual([...WEATHER_COLUMNS].sort());
    for (const [name, c] of Object.entries(report.columns)) {
      expect(Object.keys(c).sort(), name).toEqual(c.kind === 'numeric' ? NUMERIC_KEYS : CATEGORICAL_KEYS);
      expect(Object.keys(c.drifted).sort(), name).toEqual(['drifted', 'test', 'threshold', 'uncertain', 'value']);
      expect(Object.keys(c.quality).sort(), name).toEqual(['checks', 'flagged']);
      expect(
        c.quality.checks.map((q) => q.name),
        name,
      ).toEqual(c.kind === 'numeric' ? NUMERIC_CHECKS : CATEGORICAL_CHECKS);
      for (const q of c.quality.checks) expect(Object.keys(q).sort()).toEqual(['flagged', 'name', 'threshold', 'value']);
      expect(c.count).toHaveLength(2);
      expect(c.missing_rate).toHaveLength(2);
      if (c.kind === 'numeric') {
        expect(Object.keys(c.quantiles).sort()).toEqual(['0.5', '0.9', '0.99']);
        expect(Object.keys(c.ks).sort()).toEqual(['bound', 'pvalue', 'statistic']);
        for (const k of ['wasserstein', 'psi', 'js', 'hellinger'] as const) expect(typeof c[k]).toBe('number');
      } else {
        expect(Object.keys(c.chi2).sort()).toEqual(['dof', 'pvalue', 'statistic']);
        for (const k of ['linf', 'js', 'psi'] as const) expect(typeof c[k]).toBe('number');
      }
    }
  });

  it('reports counts, missing rates and means of the raw files, and KS close to the exact statistic', async () => {
    const { report } = await driftJson(seattlePath, newYorkPath);
    for (const name of WEATHER_COLUMNS) {
      const a = truthOf(seattle, name);
      const b = truthOf(newYork, name);
      const c = report.columns[name];
      expect(c.kind, name).toBe(a.kind);
      expect(c.count, name).toEqual([a.count, b.count]);
      expect(c.missing_rate, name).toEqual([a.missing / a.count, b.missing / b.count]);
      if (c.kind !== 'numeric') continue;
      expect(Math.abs(c.mean[0] - a.mean)).toBeLessThanOrEqual(1e-12 * Math.abs(a.mean));
      expect(Math.abs(c.mean[1] - b.mean)).toBeLessThanOrEqual(1e-12 * Math.abs(b.mean));
      expect(Math.abs(c.ks.statistic - exactKs(a.values, b.values)), name).toBeLessThanOrEqual(0.01);
    }
  });

  it('sees Seattle and New York weather drift apart', async () => {
    const { report } = await driftJson(seattlePath, newYorkPath);
    // New York's winters are colder and its wind stronger: the raw KS distances are large.
    expect(exactKs(truthOf(seattle, 'temp_min').values, truthOf(newYork, 'temp_min').values)).toBeGreaterThan(0.2);
    expect(exactKs(truthOf(seattle, 'wind').values, truthOf(newYork, 'wind').values)).toBeGreaterThan(0.3);
    expect(report.columns.temp_min.drifted.drifted).toBe(true);
    expect(report.columns.wind.drifted.drifted).toBe(true);
    expect(report.columns.weather.drifted.drifted).toBe(true);
    // 1,461 baseline rows: above the small-sample limit, so the distances decide.
    expect(report.columns.wind.drifted.test).toBe('wasserstein_norm');
    expect(report.columns.weather.drifted.test).toBe('js');
  });

  it('finds little drift between two halves of a shuffled file', async () => {
    const rows = shuffled(readCsv(join(DATA, 'seattle-weather.csv')), 20260101);
    const half = Math.floor(rows.length / 2);
    const a = await profileOf('half-a', WEATHER_COLUMNS, rows.slice(0, half));
    const b = await profileOf('half-b', WEATHER_COLUMNS, rows.slice(half));
    const { report } = await driftJson(a, b);
    const drifted = Object.values(report.columns).filter((c) => c.drifted.drifted).length;
    expect(drifted).toBeLessThanOrEqual(1);
    // 730 rows: p-value tests decide.
    expect(report.columns.wind.drifted.test).toBe('ks.pvalue');
    expect(report.columns.weather.drifted.test).toBe('chi2.pvalue');
    for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      const c = report.columns[name];
      if (c.kind === 'numeric') expect(c.ks.statistic, name).toBeLessThan(0.1);
    }
  });

  it('prints NaN as null (a column with no values in the current profile)', async () => {
    const base = Array.from({ length: 50 }, (_, i) => ({ x: i, y: i % 2 ? 'a' : 'b' }));
    const empty = Array.from({ length: 20 }, () => ({ x: '', y: 'a' }));
    const { report, raw } = await driftJson(await profileOf('nan-base', ['x', 'y'], base), await profileOf('nan-cur', ['x', 'y'], empty));
    expect(raw).not.toMatch(/NaN/);
    const x = report.columns.x;
    expect(x.kind).toBe('numeric');
    if (x.kind !== 'numeric') return;
    expect(x.count).toEqual([50, 20]);
    expect(x.missing_rate).toEqual([0, 1]);
    expect(x.mean[0]).toBe(24.5);
    expect(x.mean[1]).toBeNull();
    expect(x.drifted.drifted).toBe(false);
  });

  it('prints an aligned table whose verdicts agree with --json', async () => {
    const { report } = await driftJson(seattlePath, newYorkPath);
    const { stdout } = await ok(['drift', seattlePath, newYorkPath]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^column\s+kind\s+n \(base \/ current\)\s+test\s+value\s+threshold\s+drifted/);
    for (const [name, c] of Object.entries(report.columns)) {
      const line = lines.find((l) => l.startsWith(`${name} `));
      expect(line, name).toBeDefined();
      expect(line).toContain(c.drifted.test);
      expect(line).toMatch(c.drifted.drifted ? / DRIFT / : / no /);
      expect(line).toContain(`${c.count[0].toLocaleString('en-US')} / ${c.count[1].toLocaleString('en-US')}`);
    }
    // Every row has its cells at the same offsets as the header.
    const driftAt = lines[0].indexOf('drifted');
    for (const l of lines.slice(2, 2 + WEATHER_COLUMNS.length)) expect(l.slice(driftAt, driftAt + 7).trim()).toMatch(/^(DRIFT|no)$/);
    const n = Object.values(report.columns).filter((c) => c.drifted.drifted).length;
    expect(stdout).toContain(`${n} of ${WEATHER_COLUMNS.length} columns drifted, `);
  });

  it('names the columns only one side has', async () => {
    const only = await profileOf(
      'only-temp',
      ['temp_max', 'extra'],
      seattle.map((r) => ({ temp_max: r.temp_max, extra: 'z' })),
    );
    const { stdout } = await ok(['drift', seattlePath, only]);
    expect(stdout).toContain('only in the baseline (not compared): precipitation, temp_min, wind, weather');
    expect(stdout).toContain('only in the current profile (not compared): extra');
  });

  it('applies threshold flags and --fail-on-drift', async () => {
    const strict = await driftJson(seattlePath, newYorkPath, ['--small-sample', '5000', '--pvalue', '1e-300']);
    expect(strict.report.columns.wind.drifted.test).toBe('ks.pvalue');
    expect(strict.report.columns.wind.drifted.threshold).toBe(1e-300);
    const failing = await edgewatch(['drift', seattlePath, newYorkPath, '--fail-on-drift']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('DRIFT');
    const same = await edgewatch(['drift', seattlePath, seattlePath, '--fail-on-drift']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`0 of ${WEATHER_COLUMNS.length} columns drifted`);
  });
});
