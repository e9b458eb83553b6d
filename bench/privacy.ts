// `npm run bench -- privacy`: is private data useful at the fleet sizes people have? Devices are
// simulated here with the real recording (the core, on the baseline's grid), encoding and sharing
// code; the `secure` mode goes through two aggregator processes on loopback (a leader and a
// helper, each with its own PGlite), the local `dp` mode through the core's noise and merge.
// Data: vega-datasets' weather, Seattle's 1,461 days as the baseline. The devices of the "shift"
// arm sample New York's days, those of the "control" arm Seattle's own (no drift at all: the
// arm's days are a random draw from the baseline's population). Every device-window holds 20
// rows; ε = 1 per device-day (one window a day). The verdict is the collector's own drift rule
// (any column drifted); "found" is the share of trials whose shift arm drifted, "control" the
// share whose control arm did. Error bars: the cells' RMS error against the exact counts of the
// same device-windows, next to the 95% half-width the read API states.
//
// Sizes and trials: EDGEWATCH_BENCH_PRIVACY="1000:10,10000:5,100000:1" (device-windows per arm :
// trials). The last line printed is the figures as one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ColumnSummary, type Core, loadCore, noiseErrorBar, type Profile } from '../src/core/index.ts';
import { type HelperKey, type SecureParams, sealReport } from '../src/core/secure.ts';
import { defaultOptions, driftOptions } from '../src/collector/config.ts';
import { createKey } from '../src/collector/keys.ts';
import { openStorage } from '../src/collector/storage/open.ts';
import { freePort, spawnCollector, type CollectorProcess } from '../test/collector/helpers/process.ts';
import { vegaCsv } from '../test/helpers/vega.ts';
import { Rng } from './lib/prng.ts';
import { table } from './lib/table.ts';

const ROWS = 20;
const EPSILON = 1;
const NUMERIC = ['precipitation', 'temp_max', 'temp_min', 'wind'];
const CATEGORICAL = 'weather';
/** Cells one row adds to: one per column. */
const CELLS_PER_EVENT = NUMERIC.length + 1;
const TOKEN = 'bench-privacy-peer-token-000000000000';
const HOUR = 3_600_000;
const IN_FLIGHT = 64;

type Row = Record<string, number | string | null>;
type Arm = 'shift' | 'control';
interface Figures {
  found: number;
  control: number;
  trials: number;
  /** RMS error of a cell against the truth, and the 95% half-width stated for it. */
  cellRmse: number;
  stated95: number;
  /** The mean count of a cell, for scale. */
  meanCell: number;
}

function plan(): [number, number][] {
  const raw = process.env.EDGEWATCH_BENCH_PRIVACY ?? '1000:10,10000:5,100000:1';
  return raw.split(',').map((p) => p.split(':').map(Number) as [number, number]);
}

function weather(): { seattle: Row[]; newYork: Row[] } {
  const rows = vegaCsv('weather.csv').map((r) => {
    const o: Row = { location: r.location, [CATEGORICAL]: r.weather };
    for (const c of NUMERIC) o[c] = r[c] === '' ? null : Number(r[c]);
    return o;
  });
  return { seattle: rows.filter((r) => r.location === 'Seattle'), newYork: rows.filter((r) => r.location === 'New York') };
}

function profileOf(core: Core, rows: Row[]): Profile {
  const p = core.profile({
    columns: [...NUMERIC.map((name) => ({ name, kind: 'numeric' as const })), { name: CATEGORICAL, kind: 'categorical' as const }],
  });
  p.recordRows(rows.map(({ location: _l, ...r }) => r));
  return p;
}

interface Pair {
  leader: CollectorProcess;
  helper: CollectorProcess;
  keys: { ingest: string; admin: string; read: string };
  helperKey: HelperKey;
  dirs: string[];
}

async function startPair(): Promise<Pair> {
  const dirs = [mkdtempSync(join(tmpdir(), 'ew-bench-helper-')), mkdtempSync(join(tmpdir(), 'ew-bench-leader-'))];
  const db = await openStorage({ dataDir: dirs[1] });
  const keys = {
    ingest: (await createKey(db, { project: 'bench', kind: 'ingest' })).key,
    admin: (await createKey(db, { project: 'bench', kind: 'admin' })).key,
    read: (await createKey(db, { project: 'bench', kind: 'read' })).key,
  };
  await db.close();
  const common = ['--peer-token', TOKEN, '--secure-grace-ms', String(HOUR), '--k-anonymity', '5'];
  const helper = await spawnCollector(['--role', 'helper', '--port', String(await freePort()), '--data-dir', dirs[0], ...common]);
  const leader = await spawnCollector([
    '--role',
    'leader',
    '--helper-url',
    helper.url,
    '--port',
    String(await freePort()),
    '--data-dir',
    dirs[1],
    '--max-payload-bytes',
    String(4 << 20),
    ...common,
  ]);
  const helperKey = (await (await fetch(`${helper.url}/v1/hpke-config`)).json()) as HelperKey;
  return { leader, helper, keys, helperKey, dirs };
}

async function stopPair(p: Pair): Promise<void> {
  for (const c of [p.leader, p.helper]) {
    c.child.kill('SIGTERM');
    await c.exited;
  }
  for (const d of p.dirs) rmSync(d, { recursive: true, force: true });
}

async function api<T>(url: string, key: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

/** Every count cell of a profile's summaries, keyed column:cell, for comparing two of them. */
function cellsOf(columns: Record<string, ColumnSummary>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, s] of Object.entries(columns)) {
    out.set(`${name}:missing`, s.missing);
    if (s.kind === 'categorical') for (const i of s.items) out.set(`${name}:${i.value}`, i.count);
    else s.counts?.forEach((c, i) => out.set(`${name}:${i}`, c));
  }
  return out;
}

function summaries(p: Profile): Record<string, ColumnSummary> {
  return Object.fromEntries(p.columnNames.map((n) => [n, p.summary(n)]));
}

function rmse(got: Map<string, number>, truth: Map<string, number>): { rmse: number; mean: number } {
  let sq = 0;
  let sum = 0;
  for (const [k, t] of truth) {
    sq += ((got.get(k) ?? 0) - t) ** 2;
    sum += t;
  }
  return { rmse: Math.sqrt(sq / truth.size), mean: sum / truth.size };
}

/** Sends reports with at most IN_FLIGHT at a time; throws on any refusal. */
async function sendAll(url: string, key: string, bodies: AsyncIterable<string>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const body of bodies) {
    const p: Promise<void> = fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    })
      .then(async (res) => {
        if (res.status !== 201) throw new Error(`report refused: ${res.status} ${await res.text()}`);
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

interface TrialResult {
  secure: Record<Arm, boolean>;
  dp: Record<Arm, boolean>;
  secureError: { rmse: number; mean: number; stated95: number };
  dpError: { rmse: number; mean: number; stated95: number };
}

async function trial(
  core: Core,
  pair: Pair,
  data: ReturnType<typeof weather>,
  devices: number,
  seed: number,
  window: { start: number; end: number },
): Promise<TrialResult> {
  const rng = new Rng(seed);
  const population: Record<Arm, Row[]> = { shift: data.newYork, control: data.seattle };
  const version = `n${devices}-t${seed}`;
  const base = `${pair.leader.url}/v1/models/weather/versions/${version}`;
  const baseline = profileOf(core, data.seattle);
  await api(`${base}/baseline`, pair.keys.admin, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: baseline.toBytes() as BodyInit,
  });
  const grid = await api<{ columns: Record<string, { edges: number[] } | { vocabulary: string[] }> }>(
    `${pair.leader.url}/v1/grid/weather/${version}`,
    pair.keys.read,
  );
  const columns = Object.entries(grid.columns).map(([name, c]) =>
    'edges' in c ? { name, kind: 'grid' as const, edges: c.edges } : { name, kind: 'categorical' as const, vocabulary: c.vocabulary },
  );
  const params: SecureParams = { epsilon: EPSILON, maxRowsPerWindow: ROWS, cellsPerEvent: CELLS_PER_EVENT };
  const dpScale = (2 * ROWS * CELLS_PER_EVENT) / EPSILON;
  const result = { secure: {}, dp: {} } as TrialResult;
  const options = driftOptions(defaultOptions());
  for (const arm of ['shift', 'control'] as Arm[]) {
    const exact = core.profile({ columns });
    const noisy = core.profile({ columns });
    const rows = population[arm];
    async function* reports(): AsyncIterable<string> {
      for (let d = 0; d < devices; d++) {
        const w = core.profile({ columns });
        w.recordRows(
          Array.from({ length: ROWS }, () => {
            const { location: _l, ...r } = rows[Math.floor(rng.uniform() * rows.length)];
            return r;
          }),
        );
        exact.merge(w);
        const report = await sealReport(
          core,
          w,
          pair.helperKey,
          { model: 'weather', version, segment: { arm }, windowStart: window.start, windowEnd: window.end },
          params,
        );
        // The same window in the local mode: noised on the device, merged at the collector.
        w.addNoise(dpScale);
        noisy.merge(w);
        w.dispose();
        yield JSON.stringify(report);
      }
    }
    await sendAll(`${pair.leader.url}/v1/secure/reports`, pair.keys.ingest, reports());
    const truth = cellsOf(summaries(exact));
    const dpCells = cellsOf(summaries(noisy));
    result.dp[arm] = Object.values(core.compare(baseline, noisy, options).columns).some((c) => c.drifted.drifted);
    if (arm === 'shift') result.dpError = { ...rmse(dpCells, truth), stated95: noiseErrorBar(core, { [dpScale]: devices }).halfWidth95 };
    exact.dispose();
    noisy.dispose();
    if (arm === 'shift') result.secureError = { rmse: 0, mean: 0, stated95: 0, truth } as never;
  }
  const collected = await api<{ released: number }>(`${pair.leader.url}/v1/secure/collect`, pair.keys.admin, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'weather', version, windowStart: window.start, windowEnd: window.end }),
  });
  if (collected.released !== 2) throw new Error(`expected both arms released, got ${JSON.stringify(collected)}`);
  const hour = window.start - (window.start % HOUR);
  for (const arm of ['shift', 'control'] as Arm[]) {
    const q = new URLSearchParams({ from: String(hour), to: String(hour + HOUR), step: String(HOUR), segment: JSON.stringify({ arm }) });
    const drift = await api<{ points: { driftedColumns?: number; suppressed?: boolean }[] }>(`${base}/drift?${q}`, pair.keys.read);
    result.secure[arm] = (drift.points[0]?.driftedColumns ?? 0) > 0;
    if (arm === 'shift') {
      q.delete('step');
      const p = await api<{ columns: Record<string, ColumnSummary>; privacy: { cellError: { halfWidth95: number } } }>(
        `${base}/profile?${q}`,
        pair.keys.read,
      );
      const truth = (result.secureError as unknown as { truth: Map<string, number> }).truth;
      result.secureError = { ...rmse(cellsOf(p.columns), truth), stated95: p.privacy.cellError.halfWidth95 };
    }
  }
  baseline.dispose();
  return result;
}

export async function run(): Promise<void> {
  const core = await loadCore();
  const data = weather();
  const pair = await startPair();
  const now = Date.now();
  // One ended one-second window for every batch (batches differ by version and arm); the grace
  // period of an hour keeps it open until each trial collects it.
  const start = now - (now % 1000) - 1000;
  const window = { start, end: start + 1000 };
  const out: Record<'secure' | 'dp', Record<string, Figures>> = { secure: {}, dp: {} };
  try {
    for (const [devices, trials] of plan()) {
      const t0 = Date.now();
      const results: TrialResult[] = [];
      for (let t = 0; t < trials; t++) results.push(await trial(core, pair, data, devices, 1000 * devices + t, window));
      for (const mode of ['secure', 'dp'] as const) {
        const e = results.map((r) => (mode === 'secure' ? r.secureError : r.dpError));
        const mean = (f: (x: (typeof e)[number]) => number) => e.reduce((a, x) => a + f(x), 0) / e.length;
        out[mode][devices] = {
          found: results.filter((r) => r[mode].shift).length / trials,
          control: results.filter((r) => r[mode].control).length / trials,
          trials,
          cellRmse: Math.sqrt(mean((x) => x.rmse ** 2)),
          stated95: mean((x) => x.stated95),
          meanCell: mean((x) => x.mean),
        };
      }
      const brief = (m: 'secure' | 'dp') => `${m} found ${out[m][devices].found}, control ${out[m][devices].control}`;
      console.error(
        `privacy: ${devices} device-windows × ${trials} trials in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${brief('secure')}; ${brief('dp')}`,
      );
    }
  } finally {
    await stopPair(pair);
  }
  console.log("Private aggregation: weather shift Seattle → New York, and Seattle's own days as the control");
  console.log(
    `${ROWS} rows per device-window, ε = ${EPSILON} per device-day, ${CELLS_PER_EVENT} cells per row, the collector's drift rule\n`,
  );
  const rows: string[][] = [];
  for (const mode of ['secure', 'dp'] as const) {
    for (const [n, f] of Object.entries(out[mode])) {
      rows.push([
        mode,
        n,
        String(f.trials),
        `${(f.found * 100).toFixed(0)}%`,
        `${(f.control * 100).toFixed(0)}%`,
        f.cellRmse.toFixed(1),
        f.stated95.toFixed(1),
        f.meanCell.toFixed(1),
        (f.cellRmse / Math.max(f.meanCell, 1e-9)).toFixed(3),
      ]);
    }
  }
  console.log(
    table(
      ['mode', 'device-windows', 'trials', 'shift found', 'control fired', 'cell RMS error', 'stated ±95%', 'mean cell', 'RMS / mean cell'],
      rows,
      [false, true, true, true, true, true, true, true, true],
    ),
  );
  const goal = out.secure[10_000];
  if (goal) {
    const pass = goal.found >= 0.95 && goal.control <= 0.05;
    console.log(`\ngoal at 10^4 device-windows, secure: found ≥ 95%, control ≤ 5% — ${pass ? 'PASS' : 'FAIL'}`);
  }
  const json = (m: Record<string, Figures>) =>
    Object.fromEntries(Object.entries(m).map(([n, f]) => [n, { found: f.found, control: f.control }]));
  console.log(JSON.stringify({ secure: json(out.secure), dp: json(out.dp) }));
}
