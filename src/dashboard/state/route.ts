// The dashboard's whole state lives in the URL hash, so any view can be linked to, bookmarked
// and reopened exactly — an alert's link included:
//   #/                                              fleet
//   #/models/<model>/versions/<version>             model
//   #/models/<model>/versions/<version>/columns/<c> column
//   #/models/<model>/versions/<version>/canary      canary: the version against its rollback target
//   #/models/<m>/versions/<v>/canary/against/<peer> canary against a chosen version
//   #/alerts            #/alerts/<id>               alerts, one alert
//   #/incidents         #/incidents/<id>            incidents, one incident (the collector's
//                                                   incident links)
// followed by optional query parameters: range=5m|15m|1h|6h|24h|7d, or from=<ms>&to=<ms> for an
// exact window; segment=<JSON object of strings>; state=open|firing|resolved|all (alerts list).
// The collector's alert links (`<public URL>/#/models/<m>/versions/<v>`) use the same scheme.

export type View =
  | { name: 'fleet' }
  | { name: 'model'; model: string; version: string }
  | { name: 'column'; model: string; version: string; column: string }
  /** `against` absent: the version's rollback target. */
  | { name: 'canary'; model: string; version: string; against?: string }
  | { name: 'alerts' }
  | { name: 'alert'; id: number }
  | { name: 'incidents' }
  | { name: 'incident'; id: number };

export const PRESETS = ['5m', '15m', '1h', '6h', '24h', '7d'] as const;
export type Preset = (typeof PRESETS)[number];
export type RangeSpec = { preset: Preset } | { from: number; to: number };
export type AlertFilter = 'open' | 'firing' | 'resolved' | 'all';

export interface RouteState {
  view: View;
  range: RangeSpec;
  segment?: Record<string, string>;
  alertFilter: AlertFilter;
}

export const DEFAULT_PRESET: Preset = '1h';
export const DEFAULT_RANGE: RangeSpec = { preset: DEFAULT_PRESET };

const enc = encodeURIComponent;

export function parseHash(hash: string): RouteState {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  return {
    view: viewOf(parts),
    range: rangeOf(params),
    segment: segmentOf(params.get('segment')),
    alertFilter: filterOf(params.get('state')),
  };
}

function viewOf(p: string[]): View {
  if (p[0] === 'models' && p.length >= 4 && p[2] === 'versions') {
    if (p[4] === 'columns' && p.length >= 6) return { name: 'column', model: p[1], version: p[3], column: p.slice(5).join('/') };
    if (p[4] === 'canary')
      return p[5] === 'against' && p.length >= 7
        ? { name: 'canary', model: p[1], version: p[3], against: p.slice(6).join('/') }
        : { name: 'canary', model: p[1], version: p[3] };
    return { name: 'model', model: p[1], version: p[3] };
  }
  if (p[0] === 'incidents') {
    const id = Number(p[1]);
    return p.length >= 2 && Number.isInteger(id) && id > 0 ? { name: 'incident', id } : { name: 'incidents' };
  }
  if (p[0] === 'alerts') {
    const id = Number(p[1]);
    return p.length >= 2 && Number.isInteger(id) ? { name: 'alert', id } : { name: 'alerts' };
  }
  return { name: 'fleet' };
}

function rangeOf(params: URLSearchParams): RangeSpec {
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (params.has('from') && params.has('to') && Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to > from)
    return { from, to };
  const preset = params.get('range');
  return PRESETS.includes(preset as Preset) ? { preset: preset as Preset } : DEFAULT_RANGE;
}

function segmentOf(text: string | null): Record<string, string> | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')) {
      return Object.keys(v).length ? (v as Record<string, string>) : undefined;
    }
  } catch {
    // A hand-edited URL with a broken segment shows everything rather than failing.
  }
  return undefined;
}

function filterOf(s: string | null): AlertFilter {
  return s === 'firing' || s === 'resolved' || s === 'all' ? s : 'open';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function viewPath(v: View): string {
  switch (v.name) {
    case 'fleet':
      return '/';
    case 'model':
      return `/models/${enc(v.model)}/versions/${enc(v.version)}`;
    case 'column':
      return `/models/${enc(v.model)}/versions/${enc(v.version)}/columns/${enc(v.column)}`;
    case 'canary':
      return `/models/${enc(v.model)}/versions/${enc(v.version)}/canary${v.against === undefined ? '' : `/against/${enc(v.against)}`}`;
    case 'alerts':
      return '/alerts';
    case 'alert':
      return `/alerts/${v.id}`;
    case 'incidents':
      return '/incidents';
    case 'incident':
      return `/incidents/${v.id}`;
  }
}

/** The hash for a state; parameters at their defaults are left out. */
export function formatHash(s: RouteState): string {
  const params = new URLSearchParams();
  if ('preset' in s.range) {
    if (s.range.preset !== DEFAULT_PRESET) params.set('range', s.range.preset);
  } else {
    params.set('from', String(s.range.from));
    params.set('to', String(s.range.to));
  }
  if (s.segment && Object.keys(s.segment).length) params.set('segment', JSON.stringify(s.segment));
  if (s.alertFilter !== 'open' && (s.view.name === 'alerts' || s.view.name === 'alert')) params.set('state', s.alertFilter);
  const query = params.toString();
  return `#${viewPath(s.view)}${query ? `?${query}` : ''}`;
}

/** A link to another view that keeps the current range and segment. */
export function linkTo(current: RouteState, view: View, changes: Partial<Omit<RouteState, 'view'>> = {}): string {
  return formatHash({ ...current, ...changes, view });
}
