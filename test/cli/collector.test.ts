// `edgewatch keys`, `serve` and `baseline` together, each as its own process: a key is created
// on a fresh embedded database, the collector serves it, and a profile becomes a baseline whose
// private-mode grid the collector then derives.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, DATA, edgewatch, ok, readCsv, ROOT, tempDir, truthOf } from './helpers.ts';

const { dir, cleanup } = tempDir();
const dataDir = join(dir, 'db');
let server: ChildProcess | undefined;
let url = '';
let adminKey = '';
let readKey = '';

/** A loopback port nothing listens on: taken from the system, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function startServer(): Promise<string> {
  server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    server!.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server!.stderr!.on('data', (d) => (err += d));
    server!.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  // The embedded database belongs to one process at a time: keys first, then the server.
  adminKey = (await ok(['keys', 'create', '--project', 'shop', '--kind', 'admin', '--data-dir', dataDir])).stdout.split('\n')[0];
  readKey = (await ok(['keys', 'create', '--project', 'shop', '--kind', 'read', '--data-dir', dataDir])).stdout.split('\n')[0];
  expect(adminKey).toMatch(/^ewa_/);
  expect(readKey).toMatch(/^ewr_/);
  const listed = await ok(['keys', 'list', '--data-dir', dataDir]);
  expect(listed.stdout.trim().split('\n')).toHaveLength(3);
  url = await startServer();
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  cleanup();
});

describe('edgewatch baseline against a running collector', () => {
  it('sets a baseline from a profile and reads back the grid derived from it', async () => {
    const source = join(DATA, 'seattle-weather.csv');
    const profile = join(dir, 'train.ewp');
    await ok(['profile', source, '--out', profile, '--quiet']);
    const set = await ok(['baseline', 'set', profile, '--model', 'weather', '--version', '1', '--url', url, '--key', adminKey]);
    expect(set.stdout).toMatch(/^baseline of weather@1 set from .*train\.ewp: 6 columns/);

    const grid = await ok(['baseline', 'grid', '--model', 'weather', '--version', '1', '--url', url], { EDGEWATCH_KEY: readKey });
    const answer = JSON.parse(grid.stdout) as {
      model: string;
      version: string;
      columns: Record<string, { vocabulary?: string[]; edges?: number[] }>;
    };
    expect(answer.model).toBe('weather');
    expect(Object.keys(answer.columns).sort()).toEqual(['date', 'precipitation', 'temp_max', 'temp_min', 'weather', 'wind']);
    // The vocabulary is exactly the set of values the training file holds.
    expect(answer.columns.weather.vocabulary).toEqual([...truthOf(readCsv(source), 'weather').counts.keys()].sort());
    // Percentile edges of a numeric column: strictly increasing, within the column's range.
    const edges = answer.columns.wind.edges!;
    const wind = truthOf(readCsv(source), 'wind').values;
    expect(edges.length).toBeGreaterThan(1);
    for (let i = 1; i < edges.length; i++) expect(edges[i]).toBeGreaterThan(edges[i - 1]);
    expect(edges[0]).toBeGreaterThanOrEqual(Math.min(...wind) * 0.98);
    expect(edges.at(-1)!).toBeLessThanOrEqual(Math.max(...wind) * 1.02);
  });

  it('reports refusals by the collector in one line', async () => {
    const profile = join(dir, 'refused.ewp');
    await ok(['profile', join(DATA, 'seattle-weather.csv'), '--out', profile, '--quiet']);
    const r = await edgewatch(['baseline', 'set', profile, '--model', 'weather', '--version', '2', '--url', url, '--key', readKey]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^edgewatch: the collector answered 403: /);
    const missing = await edgewatch(['baseline', 'grid', '--model', 'nothing', '--version', '1', '--url', url, '--key', readKey]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^edgewatch: the collector answered 404: no baseline for nothing@1\n$/);
  });

  it('says when no collector answers', async () => {
    const port = await closedPort();
    const r = await edgewatch([
      'baseline',
      'grid',
      '--model',
      'm',
      '--version',
      '1',
      '--url',
      `http://127.0.0.1:${port}`,
      '--key',
      readKey,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`edgewatch: cannot reach the collector at http://127.0.0.1:${port} (ECONNREFUSED)\n`);
  });
});
