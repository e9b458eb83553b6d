// Turns the URL's range into the from/to the API takes, and picks time-series steps the drift
// endpoint accepts (whole minutes, at least one, at most 2,000 points).
import type { Range } from '../api/client.ts';
import type { Preset, RangeSpec } from './route.ts';

const MINUTE = 60_000;
export const PRESET_MS: Record<Preset, number> = {
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '6h': 6 * 60 * MINUTE,
  '24h': 24 * 60 * MINUTE,
  '7d': 7 * 24 * 60 * MINUTE,
};

export const PRESET_LABELS: Record<Preset, string> = {
  '5m': 'Last 5 minutes',
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
};

/** A preset ends now; an absolute range is used as given, widened to a whole minute if shorter. */
export function resolveRange(spec: RangeSpec, now = Date.now()): Range {
  if ('preset' in spec) return { from: now - PRESET_MS[spec.preset], to: now };
  return { from: spec.from, to: Math.max(spec.to, spec.from + MINUTE) };
}

/** One step covering the whole range: the drift endpoint then answers with a single point. */
export function wholeRange(r: Range): { range: Range; step: number } {
  const step = Math.max(MINUTE, r.to - r.from);
  return { range: { from: r.from, to: r.from + step }, step };
}

/** About `points` steps over the range, each a whole number of minutes. */
export function timelineStep(r: Range, points = 12): number {
  return Math.max(1, Math.round((r.to - r.from) / points / MINUTE)) * MINUTE;
}

/**
 * The range a timeline reads: cut into steps of `timelineStep` that start on multiples of the
 * step (epoch-aligned: whole minutes, hours), so each step is one window of wall-clock time and
 * a change shows in the step it happened in, not smeared over two. The range is widened to
 * whole steps at both ends (the last one may end after now: it holds what has arrived so far).
 */
export function alignedTimeline(r: Range, points = 12): { range: Range; step: number } {
  const step = timelineStep(r, points);
  return { range: { from: Math.floor(r.from / step) * step, to: Math.ceil(r.to / step) * step }, step };
}

/**
 * The timeline of a view: a preset's steps aligned (alignedTimeline); an exact range — a link's,
 * an alert's window — cut from its own start, as it was asked for.
 */
export function stepsOf(spec: RangeSpec, r: Range, points = 12): { range: Range; step: number } {
  return 'preset' in spec ? alignedTimeline(r, points) : { range: r, step: timelineStep(r, points) };
}

/** The windows of a timeline's steps, for routes that answer one window at a time. */
export function stepWindows(t: { range: Range; step: number }): Range[] {
  const out: Range[] = [];
  for (let from = t.range.from; from < t.range.to; from += t.step) out.push({ from, to: Math.min(from + t.step, t.range.to) });
  return out;
}
