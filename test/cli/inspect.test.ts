// `edgewatch inspect`: the readable view and the --json view show what the profile holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, ok, readCsv, tempDir, truthOf } from './helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const source = join(DATA, 'seattle-weather.csv');
let profile: string;
beforeAll(async () => {
  profile = join(dir, 'seattle.ewp');
  await ok(['profile', source, '--out', profile, '--quiet', '--meta', 'model=weather']);
});

describe('edgewatch inspect', () => {
  it('shows format, size, metadata and every column with its counts', async () => {
    const { stdout } = await ok(['inspect', profile]);
    const size = readFileSync(profile).byteLength;
    expect(stdout.split('\n')[0]).toBe(`${profile}: edgewatch profile, format 2, ${size.toLocaleString('en-US')} bytes, 6 columns`);
    expect(stdout).toContain('source = seattle-weather.csv');
    expect(stdout).toContain('model = weather');
    const rows = readCsv(source);
    for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      expect(stdout).toMatch(new RegExp(`^${name}\\s+${rows.length.toLocaleString('en-US')}\\s+0\\s+0\\s+0 / 0\\s`, 'm'));
    }
    // Resolution: the exact values of a column with at most 128 distinct ones, else the scale.
    for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      const distinct = new Set(rows.map((r) => Number(r[name]))).size;
      const line = stdout.split('\n').find((l) => l.startsWith(`${name} `))!;
      expect(line).toMatch(distinct <= 128 ? new RegExp(`exact, ${distinct} values$`) : /scale 5, ±1\.083%/);
    }
    // Top items of the weather column, most frequent first, with exact counts.
    const weather = [...truthOf(rows, 'weather').counts.entries()].sort((a, b) => b[1] - a[1]);
    const top = weather
      .slice(0, 5)
      .map(([v, n]) => `${v} (${n.toLocaleString('en-US')})`)
      .join(', ');
    expect(stdout).toMatch(
      new RegExp(`^weather\\s+1,461\\s+0\\s+exact\\s+${weather.length}\\s+0\\s+${top.replace(/[()]/g, '\\$&')}$`, 'm'),
    );
  });

  it('limits top items with --top and marks the rest', async () => {
    const { stdout } = await ok(['inspect', profile, '--top', '2']);
    const line = stdout.split('\n').find((l) => l.startsWith('weather '))!;
    expect(line.endsWith('…')).toBe(true);
    expect(line.match(/\(\d[\d,]*\)/g)).toHaveLength(2);
  });

  it('--json carries the summaries, quantiles, metadata and size', async () => {
    const { stdout } = await ok(['inspect', profile, '--json']);
    const got = JSON.parse(stdout);
    expect(got.format).toBe(2);
    expect(got.bytes).toBe(readFileSync(profile).byteLength);
    expect(got.meta).toEqual({ source: 'seattle-weather.csv', model: 'weather' });
    expect(Object.keys(got.columns).sort()).toEqual(['date', 'precipitation', 'temp_max', 'temp_min', 'weather', 'wind']);
    expect(Object.keys(got.columns.wind.quantiles)).toEqual(['0.01', '0.5', '0.9', '0.99']);
    expect(got.columns.weather.quantiles).toBeUndefined();
    expect(got.columns.wind.summary.count).toBe(1461);
  });
});
