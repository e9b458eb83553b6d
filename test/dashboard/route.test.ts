// The URL state: every view and its parameters survive a round trip through the hash, the
// collector's alert links parse, and broken parameters fall back to the defaults.
import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, type RouteState } from '../../src/dashboard/state/route.ts';

describe('route', () => {
  const states: RouteState[] = [
    { view: { name: 'fleet' }, range: { preset: '1h' }, alertFilter: 'open' },
    { view: { name: 'model', model: 'churn', version: '1.0.0' }, range: { preset: '24h' }, alertFilter: 'open' },
    {
      view: { name: 'column', model: 'a b/c', version: 'v:1', column: 'scores.score.x/y' },
      range: { from: 1_000, to: 61_000 },
      segment: { region: 'eu', app: '5.2' },
      alertFilter: 'open',
    },
    { view: { name: 'alerts' }, range: { preset: '7d' }, alertFilter: 'resolved' },
    { view: { name: 'alert', id: 42 }, range: { preset: '1h' }, alertFilter: 'all' },
  ];

  it.each(states)('round-trips $view.name', (s) => {
    expect(parseHash(formatHash(s))).toEqual({ ...s, segment: s.segment });
  });

  it('reads the link the collector puts in alerts', () => {
    expect(parseHash('#/models/churn/versions/1.0.0').view).toEqual({ name: 'model', model: 'churn', version: '1.0.0' });
  });

  it('falls back to the defaults on broken parameters', () => {
    const s = parseHash('#/models/m/versions/v?range=3y&from=10&to=5&segment={oops&state=weird');
    expect(s).toEqual({
      view: { name: 'model', model: 'm', version: 'v' },
      range: { preset: '1h' },
      segment: undefined,
      alertFilter: 'open',
    });
    expect(parseHash('#/nowhere').view).toEqual({ name: 'fleet' });
    expect(parseHash('').view).toEqual({ name: 'fleet' });
  });
});
