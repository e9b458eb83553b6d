// What the time charts of a model version mark: when each version of the model began reporting
// (a canary arriving, a rollback) and when each incident of this version opened, within the range.
import type { Range } from '../api/client.ts';
import type { Incident, ModelVersion } from 'edgewatch/read-api';
import type { Marker } from '../charts/options.ts';

export interface ChartMarker extends Marker {
  kind: 'version' | 'incident';
  /** The version that began reporting, or the incident's id. */
  ref: string;
}

export function chartMarkers(
  models: ModelVersion[],
  incidents: Incident[],
  at: { model: string; version: string },
  range: Range,
): ChartMarker[] {
  const inRange = (t: number | null): t is number => t !== null && t >= range.from && t < range.to;
  const versions = models
    .filter((m) => m.model === at.model && inRange(m.firstWindowAt))
    .map((m): ChartMarker => ({ kind: 'version', ref: m.version, at: m.firstWindowAt!, label: `${m.version} starts` }));
  const opened = incidents
    .filter((i) => i.model === at.model && i.version === at.version && inRange(i.openedAt))
    .map((i): ChartMarker => ({ kind: 'incident', ref: String(i.id), at: i.openedAt, label: `incident #${i.id}` }));
  return [...versions, ...opened].sort((a, b) => a.at - b.at);
}
