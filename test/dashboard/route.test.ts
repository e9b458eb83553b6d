// The URL state: every view and its parameters survive a round trip through the hash, the
// collector's alert links parse, and broken parameters fall back to the defaults.
import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, type RouteState } from '../../src/dashboard/state/route.ts';
import { alignedTimeline, resolveRange, timelineStep } from '../../src/dashboard/state/time-range.ts';

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
    { view: { name: 'canary', model: 'churn', version: '1.1.0' }, range: { preset: '1h' }, alertFilter: 'open' },
    {
      view: { name: 'canary', model: 'churn', version: '1.1.0', against: 'v/2 b' },
      range: { from: 5_000, to: 65_000 },
      segment: { region: 'eu' },
      alertFilter: 'open',
    },
    { view: { name: 'alerts' }, range: { preset: '7d' }, alertFilter: 'resolved' },
    { view: { name: 'alert', id: 42 }, range: { preset: '1h' }, alertFilter: 'all' },
    { view: { name: 'incidents' }, range: { preset: '1h' }, alertFilter: 'open' },
    { view: { name: 'incident', id: 7 }, range: { preset: '6h' }, alertFilter: 'open' },
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

describe('timeline steps', () => {
  it('start on multiples of the step and cover the whole range, whatever "now" is', () => {
    for (const preset of ['5m', '15m', '1h', '6h', '24h', '7d'] as const) {
      for (const now of [1_796_000_000_000, 1_796_000_017_345, 1_796_003_599_999]) {
        const r = resolveRange({ preset }, now);
        const { range, step } = alignedTimeline(r);
        expect(step).toBe(timelineStep(r));
        expect(range.from % step).toBe(0);
        expect(range.to % step).toBe(0);
        expect(range.from).toBeLessThanOrEqual(r.from);
        expect(range.to).toBeGreaterThanOrEqual(r.to);
        // At most one extra step at each end.
        expect(range.to - range.from).toBeLessThanOrEqual(r.to - r.from + 2 * step);
      }
    }
  });

  it('put a change at a window boundary in the step that starts there', () => {
    // Traffic switches at 10:05:00; the 1 h view is opened at 10:31:17.
    const switchAt = Date.UTC(2026, 11, 1, 10, 5);
    const { range, step } = alignedTimeline(resolveRange({ preset: '1h' }, Date.UTC(2026, 11, 1, 10, 31, 17)));
    expect(step).toBe(5 * 60_000);
    expect((switchAt - range.from) % step).toBe(0);
  });
});
