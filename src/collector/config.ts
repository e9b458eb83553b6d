// Collector configuration: every setting has a flag, an environment variable and a default.
// The table below is the single source for `edgewatch serve --help` and docs/collector.md.
import { availableParallelism } from 'node:os';
import { parseEvalWindows } from './eval-windows.ts';

export interface CollectorOptions {
  host: string;
  port: number;
  /** postgres://… switches from the embedded database to PostgreSQL. */
  databaseUrl?: string;
  /** PGlite data directory (ignored with databaseUrl). */
  dataDir: string;
  /** Largest accepted ingest body, bytes. */
  maxPayloadBytes: number;
  /** Most columns an upload may carry (the core's own limit is 4096). */
  maxColumns: number;
  /** No aggregate built from fewer distinct devices is ever returned. */
  kAnonymity: number;
  /** A device counts towards k only through uploads of at least this many rows (or noisy ones). */
  kMinRows: number;
  /** Register an unknown model version on its first upload (else 422). */
  autoRegister: boolean;
  /** Accept windows ending at most this far in the future (clock skew), ms. */
  maxFutureMs: number;
  /** Accept windows starting at most this far in the past, ms. */
  maxAgeMs: number;
  /** How long a key lookup is cached; a revoked key stops working within this time. */
  keyCacheMs: number;
  /** Bins per numeric column of the private-mode grid derived from a baseline. */
  gridBins: number;
  /** Accepted ingest requests per minute per ingest key (0: unlimited). */
  rateLimitPerKey: number;
  /** Ingest requests per minute per device id (0: unlimited). */
  rateLimitPerDevice: number;
  /** Refused ingest requests per minute per client address before all its requests get 429 (0: unlimited). */
  rateLimitRefusedPerAddress: number;
  /** Device ids first seen per minute per client address (0: unlimited). */
  rateLimitNewDevicesPerAddress: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy or balancer). */
  trustProxy: boolean;
  /** If set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /**
   * Rolling windows of the per-model metrics and of alert evaluation, e.g. "1h,24h" (see
   * eval-windows.ts): each is evaluated on its own, and named by its span.
   */
  evalWindows: string;
  /** Segments evaluated per model version in the rolling window (the most devices first). */
  evalMaxSegments: number;
  /** How often alert rules are evaluated, ms (0: never in the background). */
  alertIntervalMs: number;
  /** Drift verdict (the core's compare): p-value tests up to this many baseline values… */
  driftSmallSample: number;
  /** …at this significance; */
  driftPvalue: number;
  /** beyond it, distances: Wasserstein-1 over the baseline's standard deviation… */
  driftWassersteinNorm: number;
  /** …and the Jensen–Shannon distance for categories. */
  driftJs: number;
  /** Base URL of the dashboard, for links in alerts. */
  publicUrl?: string;
  /** How often uploads of closed hours are folded into hourly rollups, ms (0: never). */
  rollupIntervalMs: number;
  /** How long raw uploads are kept once rolled, ms (0: forever; never less than maxAgeMs). */
  rawRetentionMs: number;
  /** How long hourly rollups are kept once folded into a day, ms (0: forever). */
  hourlyRetentionMs: number;
  /** How long daily rollups are kept, ms (0: forever). */
  dailyRetentionMs: number;
  /** OTLP/HTTP metrics endpoint (…/v1/metrics); unset: no push. */
  otlpUrl?: string;
  /** Interval pushed to OTLP, ms; each push covers the interval before the last one. */
  otlpIntervalMs: number;
  /** Model versions a project may register by uploading (0: no limit). */
  maxVersionsPerProject: number;
  /** Longest a client may take to send its request headers, ms. */
  headersTimeoutMs: number;
  /** Longest a client may take to send a whole request (headers and body), ms. */
  requestTimeoutMs: number;
  /** Longest a connection may stay silent (mid-body or idle between requests), ms. */
  idleTimeoutMs: number;
  /** On SIGINT/SIGTERM, how long requests in flight may take before their connections are cut, ms. */
  shutdownTimeoutMs: number;
  /** Worker threads that decode and merge stored payloads for reads (0: on the request thread). */
  mergeThreads: number;
  /**
   * The secure mode's part (docs/privacy.md): 'collector' takes none; a 'leader' takes devices'
   * reports and releases batches with its 'helper', another collector run by another party.
   */
  role: 'collector' | 'leader' | 'helper';
  /** The leader's helper, e.g. https://helper.example.org. */
  helperUrl?: string;
  /** The secret the leader and its helper authenticate each other's requests with. */
  peerToken?: string;
  /** How long after a window's end its batch still takes reports before it is released, ms. */
  secureGraceMs: number;
}

interface Setting {
  key: keyof CollectorOptions;
  flag: string;
  env: string;
  type: 'string' | 'int' | 'bool' | 'number' | 'windows';
  default?: string | number | boolean;
  help: string;
}

export const SETTINGS: Setting[] = [
  { key: 'host', flag: '--host', env: 'EDGEWATCH_HOST', type: 'string', default: '127.0.0.1', help: 'address to listen on' },
  { key: 'port', flag: '--port', env: 'EDGEWATCH_PORT', type: 'int', default: 8787, help: 'port to listen on (0: any free port)' },
  { key: 'databaseUrl', flag: '--database-url', env: 'DATABASE_URL', type: 'string', help: 'PostgreSQL URL; unset: embedded PGlite' },
  { key: 'dataDir', flag: '--data-dir', env: 'EDGEWATCH_DATA_DIR', type: 'string', default: './.edgewatch', help: 'PGlite data directory' },
  {
    key: 'maxPayloadBytes',
    flag: '--max-payload-bytes',
    env: 'EDGEWATCH_MAX_PAYLOAD_BYTES',
    type: 'int',
    default: 1_048_576,
    help: 'largest ingest body',
  },
  { key: 'maxColumns', flag: '--max-columns', env: 'EDGEWATCH_MAX_COLUMNS', type: 'int', default: 1024, help: 'most columns per upload' },
  {
    key: 'kAnonymity',
    flag: '--k-anonymity',
    env: 'EDGEWATCH_K_ANONYMITY',
    type: 'int',
    default: 5,
    help: 'minimum distinct devices behind any aggregate shown',
  },
  {
    key: 'kMinRows',
    flag: '--k-min-rows',
    env: 'EDGEWATCH_K_MIN_ROWS',
    type: 'int',
    default: 10,
    help: 'rows an upload needs for its device to count towards k (private-mode uploads always count)',
  },
  {
    key: 'autoRegister',
    flag: '--auto-register',
    env: 'EDGEWATCH_AUTO_REGISTER',
    type: 'bool',
    default: true,
    help: 'register unknown model versions on first upload',
  },
  {
    key: 'maxFutureMs',
    flag: '--max-future-ms',
    env: 'EDGEWATCH_MAX_FUTURE_MS',
    type: 'int',
    default: 300_000,
    help: 'tolerated clock skew for window ends',
  },
  {
    key: 'maxAgeMs',
    flag: '--max-age-ms',
    env: 'EDGEWATCH_MAX_AGE_MS',
    type: 'int',
    default: 7 * 86_400_000,
    help: 'oldest accepted window start',
  },
  {
    key: 'keyCacheMs',
    flag: '--key-cache-ms',
    env: 'EDGEWATCH_KEY_CACHE_MS',
    type: 'int',
    default: 5_000,
    help: 'key lookup cache (revocation delay)',
  },
  {
    key: 'gridBins',
    flag: '--grid-bins',
    env: 'EDGEWATCH_GRID_BINS',
    type: 'int',
    default: 64,
    help: 'bins per numeric column of the private-mode grid',
  },
  {
    key: 'rateLimitPerKey',
    flag: '--rate-limit-per-key',
    env: 'EDGEWATCH_RATE_LIMIT_PER_KEY',
    type: 'int',
    default: 0,
    help: 'ingest requests/minute per key (0: off)',
  },
  {
    key: 'rateLimitPerDevice',
    flag: '--rate-limit-per-device',
    env: 'EDGEWATCH_RATE_LIMIT_PER_DEVICE',
    type: 'int',
    default: 120,
    help: 'ingest requests/minute per device id (0: off)',
  },
  {
    key: 'rateLimitRefusedPerAddress',
    flag: '--rate-limit-refused-per-address',
    env: 'EDGEWATCH_RATE_LIMIT_REFUSED_PER_ADDRESS',
    type: 'int',
    default: 60,
    help: 'refused ingest requests/minute per client address (0: off)',
  },
  {
    key: 'rateLimitNewDevicesPerAddress',
    flag: '--rate-limit-new-devices-per-address',
    env: 'EDGEWATCH_RATE_LIMIT_NEW_DEVICES_PER_ADDRESS',
    type: 'int',
    default: 120,
    help: 'device ids first seen/minute per client address (0: off)',
  },
  {
    key: 'trustProxy',
    flag: '--trust-proxy',
    env: 'EDGEWATCH_TRUST_PROXY',
    type: 'bool',
    default: false,
    help: 'client address from X-Forwarded-For (behind a proxy)',
  },
  {
    key: 'metricsToken',
    flag: '--metrics-token',
    env: 'EDGEWATCH_METRICS_TOKEN',
    type: 'string',
    help: 'bearer token required by /metrics; without it /metrics carries no per-segment series',
  },
  {
    key: 'evalWindows',
    flag: '--eval-windows',
    env: 'EDGEWATCH_EVAL_WINDOWS',
    type: 'windows',
    default: '1h,24h',
    help: 'rolling windows of model metrics and alerts (spans: s, m, h, d)',
  },
  {
    key: 'evalMaxSegments',
    flag: '--eval-max-segments',
    env: 'EDGEWATCH_EVAL_MAX_SEGMENTS',
    type: 'int',
    default: 20,
    help: 'segments per model version in metrics and alerts (most devices first)',
  },
  {
    key: 'alertIntervalMs',
    flag: '--alert-interval-ms',
    env: 'EDGEWATCH_ALERT_INTERVAL_MS',
    type: 'int',
    default: 60_000,
    help: 'alert evaluation period (0: off)',
  },
  {
    key: 'driftSmallSample',
    flag: '--drift-small-sample',
    env: 'EDGEWATCH_DRIFT_SMALL_SAMPLE',
    type: 'int',
    default: 1000,
    help: 'p-value tests up to this many baseline values, distances beyond',
  },
  {
    key: 'driftPvalue',
    flag: '--drift-pvalue',
    env: 'EDGEWATCH_DRIFT_PVALUE',
    type: 'number',
    default: 0.05,
    help: 'KS / chi-square significance (small samples)',
  },
  {
    key: 'driftWassersteinNorm',
    flag: '--drift-wasserstein',
    env: 'EDGEWATCH_DRIFT_WASSERSTEIN',
    type: 'number',
    default: 0.1,
    help: 'Wasserstein / baseline std threshold (large samples)',
  },
  {
    key: 'driftJs',
    flag: '--drift-js',
    env: 'EDGEWATCH_DRIFT_JS',
    type: 'number',
    default: 0.1,
    help: 'Jensen-Shannon distance threshold (large samples)',
  },
  {
    key: 'rollupIntervalMs',
    flag: '--rollup-interval-ms',
    env: 'EDGEWATCH_ROLLUP_INTERVAL_MS',
    type: 'int',
    default: 60_000,
    help: 'hourly rollup period (0: off)',
  },
  {
    key: 'rawRetentionMs',
    flag: '--raw-retention-ms',
    env: 'EDGEWATCH_RAW_RETENTION_MS',
    type: 'int',
    default: 7 * 86_400_000,
    help: 'keep rolled raw uploads (0: forever; at least max age)',
  },
  {
    key: 'hourlyRetentionMs',
    flag: '--hourly-retention-ms',
    env: 'EDGEWATCH_HOURLY_RETENTION_MS',
    type: 'int',
    default: 90 * 86_400_000,
    help: 'keep hourly rollups folded into days (0: forever)',
  },
  {
    key: 'dailyRetentionMs',
    flag: '--daily-retention-ms',
    env: 'EDGEWATCH_DAILY_RETENTION_MS',
    type: 'int',
    default: 730 * 86_400_000,
    help: 'keep daily rollups (0: forever)',
  },
  {
    key: 'otlpUrl',
    flag: '--otlp-url',
    env: 'EDGEWATCH_OTLP_URL',
    type: 'string',
    help: 'OTLP/HTTP metrics endpoint to push merged histograms to',
  },
  {
    key: 'otlpIntervalMs',
    flag: '--otlp-interval-ms',
    env: 'EDGEWATCH_OTLP_INTERVAL_MS',
    type: 'int',
    default: 60_000,
    help: 'OTLP push interval',
  },
  {
    key: 'maxVersionsPerProject',
    flag: '--max-versions-per-project',
    env: 'EDGEWATCH_MAX_VERSIONS_PER_PROJECT',
    type: 'int',
    default: 200,
    help: 'model versions a project may register by uploading (0: no limit)',
  },
  {
    key: 'headersTimeoutMs',
    flag: '--headers-timeout-ms',
    env: 'EDGEWATCH_HEADERS_TIMEOUT_MS',
    type: 'int',
    default: 10_000,
    help: 'longest time to receive request headers',
  },
  {
    key: 'requestTimeoutMs',
    flag: '--request-timeout-ms',
    env: 'EDGEWATCH_REQUEST_TIMEOUT_MS',
    type: 'int',
    default: 30_000,
    help: 'longest time to receive a whole request',
  },
  {
    key: 'idleTimeoutMs',
    flag: '--idle-timeout-ms',
    env: 'EDGEWATCH_IDLE_TIMEOUT_MS',
    type: 'int',
    default: 10_000,
    help: 'longest silence on a connection, mid-body or between requests',
  },
  {
    key: 'shutdownTimeoutMs',
    flag: '--shutdown-timeout-ms',
    env: 'EDGEWATCH_SHUTDOWN_TIMEOUT_MS',
    type: 'int',
    default: 10_000,
    help: 'on SIGINT/SIGTERM, longest wait for requests in flight',
  },
  {
    key: 'mergeThreads',
    flag: '--merge-threads',
    env: 'EDGEWATCH_MERGE_THREADS',
    type: 'int',
    // One core stays with the thread that answers requests and runs PGlite.
    default: Math.min(2, Math.max(1, availableParallelism() - 1)),
    help: 'worker threads that decode and merge stored payloads for reads (0: on the request thread)',
  },
  {
    key: 'role',
    flag: '--role',
    env: 'EDGEWATCH_ROLE',
    type: 'string',
    default: 'collector',
    help: "secure mode: 'leader' or 'helper' of an aggregator pair; 'collector': neither",
  },
  { key: 'helperUrl', flag: '--helper-url', env: 'EDGEWATCH_HELPER_URL', type: 'string', help: "the leader's helper (secure mode)" },
  {
    key: 'peerToken',
    flag: '--peer-token',
    env: 'EDGEWATCH_PEER_TOKEN',
    type: 'string',
    help: 'shared secret between leader and helper (secure mode)',
  },
  {
    key: 'secureGraceMs',
    flag: '--secure-grace-ms',
    env: 'EDGEWATCH_SECURE_GRACE_MS',
    type: 'int',
    default: 600_000,
    help: "how long after a window's end its batch takes reports before release",
  },
  { key: 'publicUrl', flag: '--public-url', env: 'EDGEWATCH_PUBLIC_URL', type: 'string', help: 'dashboard base URL for links in alerts' },
];

/** The secure mode's settings, checked together: a one-line error for a pair set up wrong. */
export function checkRole(o: CollectorOptions): void {
  if (!['collector', 'leader', 'helper'].includes(o.role)) throw new Error(`--role: expected collector, leader or helper, got "${o.role}"`);
  if (o.role === 'collector') return;
  if (!o.peerToken || o.peerToken.length < 16)
    throw new Error(`--role ${o.role} needs --peer-token (at least 16 characters, the same on both aggregators)`);
  if (o.role === 'leader' && !/^https?:\/\//.test(o.helperUrl ?? ''))
    throw new Error('--role leader needs --helper-url http(s)://… of its helper');
}

/** The core's compare options from the collector's settings. */
export const driftOptions = (o: CollectorOptions) => ({
  smallSample: o.driftSmallSample,
  pvalue: o.driftPvalue,
  wassersteinNorm: o.driftWassersteinNorm,
  js: o.driftJs,
});

export function defaultOptions(): CollectorOptions {
  const o: Record<string, unknown> = {};
  for (const s of SETTINGS) if (s.default !== undefined) o[s.key] = s.default;
  return o as unknown as CollectorOptions;
}

function convert(s: Setting, raw: string): string | number | boolean {
  if (s.type === 'int') {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${s.flag}: expected a non-negative integer, got "${raw}"`);
    return n;
  }
  if (s.type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${s.flag}: expected a non-negative number, got "${raw}"`);
    return n;
  }
  if (s.type === 'windows')
    return parseEvalWindows(raw)
      .map((w) => w.name)
      .join(',');
  if (s.type === 'bool') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new Error(`${s.flag}: expected true or false, got "${raw}"`);
  }
  return raw;
}

/** Options from defaults, then the environment, then flags (`--port 9000` or `--port=9000`). */
export function resolveOptions(argv: string[] = [], env: NodeJS.ProcessEnv = process.env): CollectorOptions {
  const o = defaultOptions() as unknown as Record<string, unknown>;
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') o[s.key] = convert(s, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const s = SETTINGS.find((x) => x.flag === flag || (x.type === 'bool' && flag === `--no-${x.flag.slice(2)}`));
    if (!s) throw new Error(`unknown option ${flag} (see --help)`);
    if (s.type === 'bool' && inline === undefined) {
      o[s.key] = !flag.startsWith('--no-');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    o[s.key] = convert(s, value);
  }
  return o as unknown as CollectorOptions;
}

export function helpText(): string {
  const lines = ['Usage: edgewatch serve [options]', '', 'Options (flag, environment variable, default):'];
  for (const s of SETTINGS) {
    const arg = s.type === 'int' || s.type === 'number' ? 'n' : s.type === 'windows' ? 'list' : 'value';
    const flag = s.type === 'bool' ? `${s.flag} / --no-${s.flag.slice(2)}` : `${s.flag} <${arg}>`;
    const def = s.default === undefined ? '' : ` (default ${s.default})`;
    lines.push(`  ${flag.padEnd(38)} ${s.env.padEnd(32)} ${s.help}${def}`);
  }
  return lines.join('\n');
}
