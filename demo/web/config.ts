// What the demo server tells the page (GET /demo-config.json, written by demo/start.ts), plus
// the addresses the page derives from its own origin: the collector and the dashboard are served
// by the same process, whatever host name the page was opened with.
export interface ServerConfig {
  ingestKey: string;
  readKey: string;
  model: { id: string; version: string; url: string; features: string[]; classes: string[] };
  /** The retrained version served to the devices of the "Canary share" (demo/model/config.ts). */
  canary: { version: string; url: string };
  weatherCsv: string;
  windowMs: number;
  /** The collector's rolling window for alerts, ms. */
  evalWindowMs: number;
}

export interface DemoConfig extends ServerConfig {
  /** The collector's base URL: the page's origin. */
  collector: string;
  /** The dashboard with the collector and the read key in its URL. */
  dashboard: string;
}

export async function loadConfig(): Promise<DemoConfig> {
  const res = await fetch('/demo-config.json');
  if (!res.ok) throw new Error(`the demo server did not answer /demo-config.json (HTTP ${res.status}); start it with npm start`);
  const server = (await res.json()) as ServerConfig;
  const collector = location.origin;
  const dashboard = `/dashboard/?collector=${encodeURIComponent(collector)}&key=${encodeURIComponent(server.readKey)}`;
  return { ...server, collector, dashboard };
}

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url} (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}
