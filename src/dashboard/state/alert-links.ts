// Where an alert points: the view of its model version, or of its column, over the exact window
// the alert was evaluated on (and its segment, if it has one).
import type { Alert } from 'edgewatch/read-api';
import { formatHash, type RouteState, type View } from './route.ts';

export function alertView(a: Alert): View | undefined {
  const e = a.evidence ?? {};
  if (!e.model || !e.version) return undefined;
  return e.column
    ? { name: 'column', model: e.model, version: e.version, column: e.column }
    : { name: 'model', model: e.model, version: e.version };
}

export function alertHref(a: Alert, current: RouteState): string | undefined {
  const view = alertView(a);
  if (!view) return undefined;
  const w = a.evidence.window;
  return formatHash({
    ...current,
    view,
    range: w && w.to > w.from ? { from: w.from, to: w.to } : current.range,
    segment: a.evidence.segment ?? undefined,
  });
}

export function alertTarget(a: Alert): string {
  const e = a.evidence ?? {};
  const where = e.model ? `${e.model}@${e.version}` : a.series;
  return e.column ? `${where} · ${e.column}` : where;
}
