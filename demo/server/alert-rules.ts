// The demo's alert rules: the collector's defaults (freshness, missing values, latency, drift),
// installed through the HTTP API with the admin key. Rules are upserted by name, so a second
// start changes nothing.
export async function installDefaultRules(api: string, adminKey: string): Promise<string[]> {
  const res = await fetch(`${api}/v1/alerts/rules/defaults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ owners: { data: 'data-team', platform: 'web-platform', model: 'weather-model' } }),
  });
  const body = (await res.json().catch(() => ({}))) as { rules?: { name: string }[]; error?: string };
  if (!res.ok) throw new Error(`installing the alert rules failed: HTTP ${res.status} ${body.error ?? ''}`);
  return (body.rules ?? []).map((r) => r.name);
}
