// The demo's alert rules: the collector's defaults (freshness, missing values, latency, drift),
// installed through the HTTP API with the admin key, plus drift per segment (so an incident
// names the region that moved) and a traffic rule whose only condition is its no-data state
// (the window holds no upload). Rules are upserted by name, so a second start changes nothing.
const OWNERS = { data: 'data-team', platform: 'web-platform', model: 'weather-model' };

const DEMO_RULES = [
  { name: 'drift-by-segment', metric: 'drifted', bySegment: true, op: '>=', threshold: 1, for: 3, severity: 'ticket', owner: OWNERS.model },
  // Devices are never observed below k, so only an empty window raises it.
  { name: 'no-traffic', metric: 'devices', op: '<', threshold: 0, for: 1, severity: 'ticket', owner: OWNERS.data, noData: 'alert' },
];

async function call(api: string, adminKey: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => ({}))) as { rules?: { name: string }[]; error?: string };
  if (!res.ok) throw new Error(`installing the alert rules failed: HTTP ${res.status} ${answer.error ?? ''}`);
  return answer;
}

export async function installDefaultRules(api: string, adminKey: string): Promise<string[]> {
  for (const r of DEMO_RULES) await call(api, adminKey, 'PUT', `/v1/alerts/rules/${r.name}`, r);
  const body = await call(api, adminKey, 'POST', '/v1/alerts/rules/defaults', { owners: OWNERS });
  return (body.rules ?? []).map((r) => r.name);
}
