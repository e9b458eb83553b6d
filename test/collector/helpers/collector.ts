// A collector listening on a loopback port for a test, with one project's keys ready.
import { createCollector, type Collector } from '../../../src/collector/server.ts';
import type { CollectorOptions } from '../../../src/collector/config.ts';
import { createKey } from '../../../src/collector/keys.ts';
import type { Backend } from './backends.ts';

export interface Running {
  url: string;
  collector: Collector;
  keys: { ingest: string; read: string; admin: string };
  stop(): Promise<void>;
}

/** `prepare` runs before the collector listens: where a test adds its own hooks. */
export async function startCollector(
  backend: Backend,
  options: Partial<CollectorOptions> = {},
  prepare?: (app: Collector['app']) => void,
): Promise<Running> {
  const made = await backend.create();
  const collector = await createCollector({
    ...made.storage,
    keyCacheMs: 0,
    rateLimitPerDevice: 0,
    rateLimitRefusedPerAddress: 0,
    rateLimitNewDevicesPerAddress: 0,
    alertIntervalMs: 0, // tests run alert and rollup rounds themselves
    rollupIntervalMs: 0,
    // Most tests upload windows of a handful of rows; k-rows.test.ts checks the threshold.
    kMinRows: 1,
    ...options,
  });
  prepare?.(collector.app);
  const url = await collector.app.listen({ host: '127.0.0.1', port: 0 });
  const db = collector.context.db;
  const keys = {
    ingest: (await createKey(db, { project: 'alpha', kind: 'ingest' })).key,
    read: (await createKey(db, { project: 'alpha', kind: 'read' })).key,
    admin: (await createKey(db, { project: 'alpha', kind: 'admin' })).key,
  };
  return {
    url,
    collector,
    keys,
    async stop() {
      await collector.close();
      await made.drop();
    },
  };
}

export async function post(url: string, key: string | undefined, body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: body as BodyInit,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export async function get(url: string, key: string | undefined) {
  const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Sets churn@1.0.0's baseline through the admin API; throws unless the collector takes it. */
export async function putBaseline(c: Running, profile: { toBytes(): Uint8Array }, path = 'churn/versions/1.0.0') {
  const res = await fetch(`${c.url}/v1/models/${path}/baseline`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/octet-stream' },
    body: profile.toBytes() as BodyInit,
  });
  if (res.status !== 200) throw new Error(`baseline refused: ${res.status} ${await res.text()}`);
}
