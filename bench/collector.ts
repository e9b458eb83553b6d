// Collector benchmark: ingest throughput and latency with autocannon for a realistic payload
// (20 numeric + 5 categorical columns, one 1-minute window), on PGlite and on PostgreSQL with one
// and two collector processes; then the read API's p50/p99 for a 30-day drift timeline of one
// model, merged from raw uploads and from hourly rollups.
// Goals on a 2-core machine: ≥ 2,000 payloads/s on PostgreSQL with two processes, ≥ 1,000 on
// PGlite. PostgreSQL: EDGEWATCH_TEST_PG_URL, else a throwaway server (needs the server binaries).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore } from '../src/core/index.ts';
import { createKey } from '../src/collector/keys.ts';
import { createCollector } from '../src/collector/server.ts';
import { openStorage, type StorageOptions } from '../src/collector/storage/open.ts';
import { freshDatabase, startPostgres } from '../test/collector/helpers/postgres.ts';
import { freePort, spawnCollector, type CollectorProcess } from '../test/collector/helpers/process.ts';
import { table } from './lib/table.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
// BENCH_COLLECTOR narrows the run to some storages (pglite, postgres) and/or parts (ingest, read),
// comma-separated, e.g. BENCH_COLLECTOR=pglite,ingest: a short run while working on one of them.
// Unset: everything.
const ONLY = (process.env.BENCH_COLLECTOR ?? '').split(',').filter(Boolean);
const pick = (choices: string[], tag: string) => !choices.some((c) => ONLY.includes(c)) || ONLY.includes(tag);
const wanted = (storage: 'pglite' | 'postgres', part: 'ingest' | 'read') =>
  pick(['pglite', 'postgres'], storage) && pick(['ingest', 'read'], part);
const CONNECTIONS = 32;
const TEMPLATES = 64;
const PLACEHOLDER = 'bench-000000000000';
const MIN = 60_000;
const DAY = 86_400_000;

type Core = Awaited<ReturnType<typeof loadCore>>;

// autocannon ships no types; this is the part of its result used here.
interface LoadResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  duration: number;
  latency: { p50: number; p99: number };
}
const autocannon = (await import('autocannon' as string)).default as (opts: object) => Promise<LoadResult>;

const COLUMNS = [
  // Explicit centers, as the edge runtime records: every device's windows merge.
  ...Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, kind: 'numeric' as const, center: 0 })),
  ...Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, kind: 'categorical' as const })),
];

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One device's window: 200 rows of 25 columns. */
function windowPayload(core: Core, seed: number, windowStart: number, uploadId: string, shift = 0): Buffer {
  const r = rng(seed);
  const p = core.profile({ columns: COLUMNS });
  const data: Record<string, Float64Array | string[]> = {};
  for (let i = 0; i < 20; i++) data[`f${i}`] = Float64Array.from({ length: 200 }, () => Math.exp(3 * r() + shift));
  for (let i = 0; i < 5; i++) data[`c${i}`] = Array.from({ length: 200 }, () => `v${Math.floor(r() ** 2 * 12)}`);
  p.recordColumns(data);
  p.meta = {
    model: 'bench',
    modelVersion: '1',
    windowStart: String(windowStart),
    windowEnd: String(windowStart + MIN),
    deviceId: `device-${seed % 500}`,
    uploadId,
  };
  const bytes = Buffer.from(p.toBytes());
  p.dispose();
  return bytes;
}

/**
 * Payload templates whose upload id is a fixed-width placeholder; each request gets a copy with
 * a fresh id written over it, so every request is a new upload and the generator stays cheap.
 */
function uploadStream(core: Core, prefix: string) {
  const now = Date.now();
  const window = now - (now % MIN) - 2 * MIN;
  const templates = Array.from({ length: TEMPLATES }, (_, i) => {
    const bytes = windowPayload(core, i, window, PLACEHOLDER);
    return { bytes, at: bytes.indexOf(PLACEHOLDER) };
  });
  let n = 0;
  return () => {
    const t = templates[n % TEMPLATES];
    const body = Buffer.from(t.bytes);
    body.write(`${prefix}${String(n++).padStart(PLACEHOLDER.length - prefix.length, '0')}`, t.at, 'latin1');
    return body;
  };
}

async function load(url: string, key: string, next: () => Buffer) {
  return autocannon({
    url: `${url}/v1/ingest`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: next() }),
      },
    ],
  });
}

async function withKey(storage: StorageOptions): Promise<string> {
  const db = await openStorage(storage);
  try {
    return (await createKey(db, { project: 'bench', kind: 'ingest' })).key;
  } finally {
    await db.close();
  }
}

const storageArgs = (s: StorageOptions) => (s.databaseUrl ? ['--database-url', s.databaseUrl] : ['--data-dir', s.dataDir!]);
const collectorArgs = (port: number, s: StorageOptions, extra: string[] = []) => [
  '--port',
  String(port),
  '--rate-limit-per-device',
  '0',
  '--alert-interval-ms',
  '0',
  ...storageArgs(s),
  ...extra,
];

async function stop(procs: CollectorProcess[]) {
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
}

async function ingestScenario(core: Core, name: string, storage: StorageOptions, processes: number) {
  const key = await withKey(storage);
  const procs = await Promise.all(Array.from({ length: processes }, async () => spawnCollector(collectorArgs(await freePort(), storage))));
  try {
    const results = await Promise.all(procs.map((p, i) => load(p.url, key, uploadStream(core, `${name.slice(0, 2)}${i}-`))));
    const ok = results.reduce((s, r) => s + r['2xx'], 0);
    const bad = results.reduce((s, r) => s + r.non2xx + r.errors, 0);
    const seconds = Math.max(...results.map((r) => r.duration));
    return [
      name,
      String(processes),
      (ok / seconds).toFixed(0),
      results.map((r) => r.latency.p50.toFixed(1)).join(' / '),
      results.map((r) => r.latency.p99.toFixed(1)).join(' / '),
      String(bad),
    ];
  } finally {
    await stop(procs);
  }
}

/**
 * 30 days of hourly windows from 6 devices, then GET /drift over the 30 days in daily steps,
 * timed by autocannon: merged from raw uploads, then again after the hourly rollups.
 */
async function readScenario(core: Core, name: string, storage: StorageOptions) {
  const collector = await createCollector({
    ...storage,
    maxAgeMs: 31 * DAY,
    rateLimitPerDevice: 0,
    alertIntervalMs: 0,
    rollupIntervalMs: 0,
  });
  try {
    const url = await collector.app.listen({ host: '127.0.0.1', port: 0 });
    const db = collector.context.db;
    const key = (await createKey(db, { project: 'bench', kind: 'ingest' })).key;
    const reader = (await createKey(db, { project: 'bench', kind: 'read' })).key;
    const admin = (await createKey(db, { project: 'bench', kind: 'admin' })).key;
    const now = Date.now();
    const start = now - (now % DAY) - 30 * DAY;
    await fetch(`${url}/v1/models/bench/versions/1/baseline`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' },
      body: windowPayload(core, 999, start, 'baseline-upload', 0) as BodyInit,
    });
    let uploads = 0;
    for (let h = 0; h < 30 * 24; h++) {
      const batch = Array.from({ length: 6 }, (_, d) =>
        windowPayload(core, h * 6 + d, start + h * 3_600_000, `read-${h}-${d}`, h > 600 ? 0.5 : 0),
      );
      await Promise.all(
        batch.map((body) =>
          fetch(`${url}/v1/ingest`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
            body: body as BodyInit,
          }),
        ),
      );
      uploads += batch.length;
    }
    const timeline = () =>
      autocannon({
        url: `${url}/v1/models/bench/versions/1/drift?from=${start}&to=${start + 30 * DAY}&step=${DAY}`,
        connections: 1,
        amount: 5,
        headers: { authorization: `Bearer ${reader}` },
      });
    const raw = await timeline();
    while ((await collector.runRollups(now)) > 0);
    const rolled = await timeline();
    return [
      name,
      String(uploads),
      raw.latency.p50.toFixed(0),
      raw.latency.p99.toFixed(0),
      rolled.latency.p50.toFixed(0),
      rolled.latency.p99.toFixed(0),
    ];
  } finally {
    await collector.close();
  }
}

export async function run(): Promise<void> {
  const core = await loadCore();
  const pg = wanted('postgres', 'ingest') || wanted('postgres', 'read') ? startPostgres() : undefined;
  const dirs: string[] = [];
  const pglite = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ew-bench-'));
    dirs.push(dir);
    return { dataDir: dir };
  };
  const dbs: { drop(): Promise<void> }[] = [];
  const postgres = async () => {
    const d = await freshDatabase(pg!.url);
    dbs.push(d);
    return { databaseUrl: d.url };
  };
  try {
    console.log(
      `collector ingest: ${DURATION_S} s per run, ${CONNECTIONS} connections per process, payload 20 numeric + 5 categorical columns × 200 rows\n`,
    );
    const rows = [];
    if (wanted('pglite', 'ingest')) rows.push(await ingestScenario(core, 'PGlite', pglite(), 1));
    if (wanted('postgres', 'ingest')) {
      rows.push(await ingestScenario(core, 'PostgreSQL', await postgres(), 1));
      rows.push(await ingestScenario(core, 'PostgreSQL', await postgres(), 2));
    }
    if (rows.length > 0) {
      console.log(table(['storage', 'processes', 'payloads/s', 'p50 ms', 'p99 ms', 'errors'], rows, [false, true, true, true, true, true]));
      console.log('goals: ≥ 1,000 payloads/s on PGlite, ≥ 2,000 on PostgreSQL with two processes\n');
    }
    const reads = [];
    if (wanted('pglite', 'read')) reads.push(await readScenario(core, 'PGlite', pglite()));
    if (wanted('postgres', 'read')) reads.push(await readScenario(core, 'PostgreSQL', await postgres()));
    if (reads.length > 0) {
      console.log('read API: 30-day drift timeline in daily steps (6 devices, hourly windows)');
      console.log(
        table(['storage', 'uploads', 'raw p50 ms', 'raw p99 ms', 'rolled-up p50 ms', 'rolled-up p99 ms'], reads, [
          false,
          true,
          true,
          true,
          true,
          true,
        ]),
      );
      console.log();
    }
  } finally {
    for (const d of dbs) await d.drop().catch(() => {});
    pg?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
