// What the demo server tells the page (GET /demo-config.json, written by demo/start.ts).
export interface DemoConfig {
  /** The collector's base URL (same origin as the page). */
  collector: string;
  ingestKey: string;
  readKey: string;
  model: { id: string; version: string; url: string; features: string[]; classes: string[] };
  weatherCsv: string;
  windowMs: number;
  /** The collector's rolling window for alerts, ms. */
  evalWindowMs: number;
  /** Dashboard URL with the collector and the read key. */
  dashboard: string;
}

export async function loadConfig(): Promise<DemoConfig> {
  const res = await fetch('/demo-config.json');
  if (!res.ok) throw new Error(`the demo server did not answer /demo-config.json (HTTP ${res.status}); start it with npm start`);
  return (await res.json()) as DemoConfig;
}

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url} (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}
