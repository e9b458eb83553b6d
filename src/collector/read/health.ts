// Inference health of a merged aggregate, from the columns the edge runtime records on every
// call (docs/edge.md): `health.latency_ms` gets one value per timed call, failed or not, and
// `health.failure` one label per failed call, by kind. A `recording` failure is a call that ran
// but could not be recorded, so it has no latency: calls = timed calls + recording failures.
// Counts come from the core's summaries; noisy private-mode counts are clamped at 0.
import { HEALTH } from 'edgewatch';
import type { HealthState } from 'edgewatch/read-api';
import type { Profile } from '../core.ts';

const LATENCY = HEALTH.latency;
const FAILURE = HEALTH.failure;

export type { HealthState };

/** Null when the profile has no `health.failure` column (not recorded by the edge runtime). */
export function healthOf(p: Profile): HealthState | null {
  const names = new Set(p.columnNames);
  if (!names.has(FAILURE)) return null;
  const f = p.summary(FAILURE);
  const byKind: Record<string, number> = Object.create(null);
  let failures = 0;
  if (f.kind === 'categorical') {
    for (const { value, count } of f.items) {
      const n = Math.max(0, count);
      if (n === 0) continue;
      byKind[value] = n;
      failures += n;
    }
  }
  let timed = 0;
  if (names.has(LATENCY)) {
    const l = p.summary(LATENCY);
    timed = Math.max(0, l.count - l.missing);
  }
  const calls = timed + (byKind.recording ?? 0);
  // A ratio of two of the core's counts, as PromQL would take it from the exported gauges.
  return { calls, failures, byKind, failureRate: calls > 0 ? failures / calls : null };
}
