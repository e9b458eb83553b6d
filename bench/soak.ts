// The collector under hostile and heavy input, on loopback, against a collector in its own
// process (PGlite on a fresh directory, alert rounds every 5 s):
//   1. wide flood: senders posting uploads of 1,024 numeric columns (the --max-columns default)
//      back to back while a prober times /healthz every 50 ms and /metrics every 2 s.
//      Goals: /healthz p99 ≤ 50 ms, /metrics ≤ 2 s, carrying the flooded version's series.
//   2. soak: valid devices (one address each, as behind a proxy) uploading a window per second,
//      next to junk senders (random bytes, 3-byte bodies, semantic junk, made-up device ids,
//      slow bodies) for a bounded time. Printed: valid uploads lost (acknowledged but not read
//      back), 5xx answers, p99 latency of valid uploads, the collector's RSS at start and end.
//      Goals: 0 lost, 0 5xx, RSS back within 20% of its start.
// BENCH_SOAK_SECONDS sets each phase's length (default 30).
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore } from '../src/core/index.ts';
import { createKey } from '../src/collector/keys.ts';
import { openStorage } from '../src/collector/storage/open.ts';
import { freePort, spawnCollector } from '../test/collector/helpers/process.ts';
import { wireProfile, zeros } from '../test/helpers/wire.ts';
import { table } from './lib/table.ts';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 30);
const MIN = 60_000;
const VALID_DEVICES = 40;
const WIDE_SENDERS = 8;

type Core = Awaited<ReturnType<typeof loadCore>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const p = (xs: number[], q: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function payload(core: Core, columns: number, rows: number, meta: Record<string, string>, seed: number): Uint8Array {
  // Explicit centers, as the edge runtime records: the soak's windows must all merge.
  const p = core.profile({ columns: Array.from({ length: columns }, (_, i) => ({ name: `f${i}`, kind: 'numeric' as const, center: 0 })) });
  const data: Record<string, Float64Array> = {};
  let s = seed;
  for (let i = 0; i < columns; i++)
    data[`f${i}`] = Float64Array.from({ length: rows }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 100);
  p.recordColumns(data);
  p.meta = meta;
  const bytes = p.toBytes();
  p.dispose();
  return bytes;
}

const PLACEHOLDER = 'soak-000000000000';

/**
 * Payloads made before the clock starts, with fixed-width placeholders for the upload and device
 * ids: each request copies one and writes fresh ids over them, so the load generator (in this
 * process, next to the prober) stays cheap.
 */
function templates(core: Core, columns: number, rows: number, model: string, count: number) {
  const window = Date.now() - (Date.now() % MIN) - MIN;
  const made = Array.from({ length: count }, (_, i) => {
    const meta = {
      model,
      modelVersion: '1',
      windowStart: String(window),
      windowEnd: String(window + MIN),
      deviceId: PLACEHOLDER.replace('soak', 'devi'),
      uploadId: PLACEHOLDER,
    };
    const bytes = Buffer.from(payload(core, columns, rows, meta, i));
    return { bytes, upload: bytes.indexOf(PLACEHOLDER), device: bytes.indexOf(PLACEHOLDER.replace('soak', 'devi')) };
  });
  return (i: number, uploadId: string, deviceId: string) => {
    const t = made[i % made.length];
    const body = Buffer.from(t.bytes);
    body.write(uploadId.padEnd(PLACEHOLDER.length, '0').slice(0, PLACEHOLDER.length), t.upload, 'latin1');
    body.write(deviceId.padEnd(PLACEHOLDER.length, '0').slice(0, PLACEHOLDER.length), t.device, 'latin1');
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  };
}

/** Uploads the read API counts from `from` on. Retried: a pooled connection the collector closed
 * after the junk phase (an idle or slow-body timeout) fails the first attempt. */
async function storedUploads(url: string, readKey: string, from: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(`${url}/v1/models/soak/versions/1/profile?from=${from}&to=${Date.now() + MIN}`, {
        headers: { authorization: `Bearer ${readKey}` },
      });
      return ((await r.json()) as { uploads?: number }).uploads ?? 0;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function timed(url: string, init?: RequestInit): Promise<{ status: number; ms: number; body: string }> {
  const t = performance.now();
  try {
    const r = await fetch(url, init);
    const body = await r.text();
    return { status: r.status, ms: performance.now() - t, body };
  } catch {
    return { status: 0, ms: performance.now() - t, body: '' };
  }
}

const ingest = (key: string, body: Uint8Array, address: string): RequestInit => ({
  method: 'POST',
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream', 'x-forwarded-for': address },
  body: body as BodyInit,
});

async function wideFlood(core: Core, url: string, key: string) {
  const wide = templates(core, 1024, 20, 'wide', 16);
  // The peer: the same probes against the same collector at rest, just before the flood.
  const idleHealth: number[] = [];
  for (let i = 0; i < 40; i++) idleHealth.push((await timed(`${url}/healthz`)).ms);
  const idle = await timed(`${url}/metrics`);
  const idleMetrics = idle.ms;
  const until = Date.now() + SECONDS * 1000;
  let sent = 0;
  let refused = 0;
  const senders = Array.from({ length: WIDE_SENDERS }, async (_, s) => {
    for (let n = 0; Date.now() < until; n++) {
      const r = await timed(`${url}/v1/ingest`, ingest(key, wide(n, `wide${s}-${n}`, `wdev-${s}`), `10.1.0.${s}`));
      if (r.status === 200) sent++;
      else refused++;
    }
  });
  const health: number[] = [];
  const metrics: number[] = [];
  // Scrapes that carried the flooded version's series, and when the first of them came.
  let withSeries = 0;
  let firstSeries = NaN;
  const started = Date.now();
  const prober = (async () => {
    while (Date.now() < until) {
      health.push((await timed(`${url}/healthz`)).ms);
      await sleep(50);
    }
  })();
  const scraper = (async () => {
    while (Date.now() < until) {
      const r = await timed(`${url}/metrics`);
      metrics.push(r.ms);
      if (/^edgewatch_model_uploads\{[^}]*model="wide"/m.test(r.body)) {
        withSeries++;
        if (Number.isNaN(firstSeries)) firstSeries = (Date.now() - started) / 1000;
      }
      await sleep(2000);
    }
  })();
  await Promise.all([...senders, prober, scraper]);
  const rounds = evaluations((await timed(`${url}/metrics`)).body, idle.body);
  console.log(`wide flood: ${WIDE_SENDERS} senders of 1,024-column uploads for ${SECONDS} s (${sent} stored, ${refused} refused)\n`);
  console.log(
    table(
      ['probe', 'samples', 'p50', 'p99', 'max', 'at rest (p99)', 'p99 / at rest', 'goal'],
      [
        [
          '/healthz',
          String(health.length),
          ms(p(health, 0.5)),
          ms(p(health, 0.99)),
          ms(Math.max(...health)),
          ms(p(idleHealth, 0.99)),
          `${(p(health, 0.99) / p(idleHealth, 0.99)).toFixed(0)}×`,
          'p99 ≤ 50 ms',
        ],
        [
          '/metrics',
          String(metrics.length),
          ms(p(metrics, 0.5)),
          ms(p(metrics, 0.99)),
          ms(Math.max(...metrics)),
          ms(idleMetrics),
          `${(p(metrics, 0.99) / idleMetrics).toFixed(0)}×`,
          '≤ 2,000 ms',
        ],
      ],
      [false, true, true, true, true, true, true, false],
    ),
  );
  console.log(
    `/metrics with the flooded version's series: ${withSeries} of ${metrics.length} scrapes` +
      (withSeries ? ` (the first ${firstSeries.toFixed(1)} s into the flood)` : ''),
  );
  console.log(
    `evaluations (alert rounds) ended during the flood: ${rounds.count}, ${(rounds.seconds / rounds.count || 0).toFixed(1)} s each on average`,
  );
  console.log();
}

/** Evaluations that ended between two scrapes, and the seconds they took together. */
function evaluations(after: string, before: string) {
  const read = (text: string, part: string) =>
    Number(new RegExp(`^edgewatch_evaluation_duration_seconds_${part} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { count: read(after, 'count') - read(before, 'count'), seconds: read(after, 'sum') - read(before, 'sum') };
}

/** A body announced but sent a byte at a time, slower than any timeout allows. */
function slowBody(url: string, key: string, until: number) {
  const { hostname, port } = new URL(url);
  const s = connect(Number(port), hostname);
  s.on('error', () => {});
  s.write(
    `POST /v1/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n`,
  );
  const t = setInterval(() => (Date.now() > until || s.destroyed ? (clearInterval(t), s.destroy()) : s.write('E')), 2000);
}

async function soak(core: Core, url: string, key: string, readKey: string, pid: number) {
  const valid = templates(core, 25, 200, 'soak', 32);
  const junkValid = templates(core, 3, 5, 'junk', 4);
  const start = Date.now();
  const until = start + SECONDS * 1000;
  const rssStart = rssOf(pid);
  const acked = new Set<string>();
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
  const devices = Array.from({ length: VALID_DEVICES }, async (_, d) => {
    for (let n = 0; Date.now() < until; n++) {
      const uploadId = `v${d}-${n}-`;
      const body = valid(d + n, uploadId, `sdev-${d}-`);
      // A device retries until acknowledged, as the edge uploader does.
      for (let attempt = 0; attempt < 5; attempt++) {
        const r = await timed(`${url}/v1/ingest`, ingest(key, body, `10.2.${d >> 8}.${d & 255}`));
        count(r.status);
        if (r.status === 200) {
          acked.add(`${d}-${n}`);
          latencies.push(r.ms);
          break;
        }
        await sleep(200);
      }
      await sleep(1000);
    }
  });
  const junk = Array.from({ length: 4 }, async (_, j) => {
    const address = `10.3.0.${j}`;
    for (let n = 0; Date.now() < until; n++) {
      const window = Date.now() - 5 * MIN;
      const meta = {
        model: 'junk',
        modelVersion: '1',
        windowStart: String(window),
        windowEnd: String(window + MIN),
        deviceId: `made-up-${j}-${n}`,
        uploadId: `junk-${j}-${n}`,
      };
      const kinds = [
        () => Uint8Array.from({ length: 1 + (n % 2000) }, (_, i) => (i * 7919 + n) & 255),
        () => Uint8Array.from([1, 2, 3]),
        () => wireProfile([zeros('x', 3, { m2: -1 }), zeros('', 2)], meta),
        () => junkValid(n, `j${j}-${n}-`, `made-up-${j}-${n}-`),
      ];
      count((await timed(`${url}/v1/ingest`, ingest(key, kinds[n % kinds.length](), address))).status);
      if (n % 50 === 0) slowBody(url, key, until);
    }
  });
  await Promise.all([...devices, ...junk]);
  await sleep(5000); // let the collector settle before its RSS is read again
  const rssEnd = rssOf(pid);
  const stored = await storedUploads(url, readKey, start - 5 * MIN);
  const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
  console.log(`soak: ${VALID_DEVICES} valid devices next to 4 junk senders for ${SECONDS} s\n`);
  console.log(
    table(
      ['measure', 'value', 'goal'],
      [
        ['valid uploads acknowledged', String(acked.size), ''],
        ['valid uploads lost', String(Math.max(0, acked.size - stored)), '0'],
        ['5xx answers', String(fivexx), '0'],
        ['p99 latency of valid uploads', ms(p(latencies, 0.99)), ''],
        [
          'answers by status',
          [...statuses]
            .sort(([a], [b]) => a - b)
            .map(([s, n]) => `${s}: ${n}`)
            .join(', '),
          '',
        ],
        ['collector RSS at start', mib(rssStart), ''],
        ['collector RSS at end', `${mib(rssEnd)} (${((rssEnd / rssStart - 1) * 100).toFixed(0)}%)`, 'within 20%'],
      ],
    ),
  );
  console.log();
}

export async function run() {
  const core = await loadCore();
  const dir = mkdtempSync(join(tmpdir(), 'ew-soak-'));
  const db = await openStorage({ dataDir: dir });
  const key = (await createKey(db, { project: 'soak', kind: 'ingest' })).key;
  const readKey = (await createKey(db, { project: 'soak', kind: 'read' })).key;
  await db.close();
  const proc = await spawnCollector([
    '--data-dir',
    dir,
    '--port',
    String(await freePort()),
    '--alert-interval-ms',
    '5000',
    '--trust-proxy',
  ]);
  try {
    await wideFlood(core, proc.url, key);
    await soak(core, proc.url, key, readKey, proc.child.pid!);
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
