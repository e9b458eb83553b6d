// The time axis of step charts: ticks on the steps' boundaries (a point is drawn at its step's
// start, so each tick is where one window ends and the next begins), every n-th boundary when
// labels would otherwise touch, and labels as precise as the boundaries (seconds when a boundary
// falls inside a minute; the date where the day changes).
import type uPlot from 'uplot';

/** Room between two labels, in CSS pixels. */
const GAP = 14;
const FONT = '12px system-ui, sans-serif';
let measurer: CanvasRenderingContext2D | null | undefined;

function textWidth(s: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return s.length * 7;
  measurer.font = FONT;
  return Math.max(...s.split('\n').map((line) => measurer!.measureText(line).width));
}

/** The boundaries of the steps whose starts are `xs` (evenly spaced), the last step's end included. */
export function stepBoundaries(xs: ArrayLike<number>): number[] {
  const out = Array.from(xs);
  if (out.length >= 2) out.push(out[out.length - 1] + (out[1] - out[0]));
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (d: Date, seconds: boolean) => `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
const day = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });

/** Labels of ticks at `ms`: hh:mm (hh:mm:ss if any tick is inside a minute), the date on a new day. */
export function boundaryLabels(ms: number[]): string[] {
  const seconds = ms.some((t) => t % 60_000 !== 0);
  const multiDay = ms.length > 1 && new Date(ms[0]).toDateString() !== new Date(ms[ms.length - 1]).toDateString();
  return ms.map((t, i) => {
    const d = new Date(t);
    const newDay = multiDay && (i === 0 || new Date(ms[i - 1]).toDateString() !== d.toDateString());
    return newDay ? `${clock(d, seconds)}\n${day(d)}` : clock(d, seconds);
  });
}

/**
 * Every n-th boundary, the smallest n whose labels keep GAP pixels apart at the plot's width.
 * `pxPerMs` is the scale's CSS pixels per millisecond.
 */
export function thinTicks(boundaries: number[], pxPerMs: number): number[] {
  if (boundaries.length < 2) return boundaries;
  const widest = Math.max(...boundaryLabels(boundaries).map(textWidth));
  const spacing = (boundaries[1] - boundaries[0]) * pxPerMs;
  const every = Math.max(1, Math.ceil((widest + GAP) / Math.max(spacing, 1e-9)));
  return boundaries.filter((_, i) => i % every === 0);
}

/**
 * A uPlot x axis (time in ms) with its ticks on the step boundaries of series 0, whose values
 * are the steps' starts plus `offset` (half a step for bars over the middle of their step).
 */
export function boundaryAxis(base: Partial<uPlot.Axis>, offset = 0): uPlot.Axis {
  // uPlot sizes its axes before it has data.
  const boundaries = (u: uPlot) => stepBoundaries(Array.from(u.data?.[0] ?? [], (x) => x - offset));
  return {
    ...base,
    // Two lines when a label carries the date.
    size: (u: uPlot) => (boundaryLabels(boundaries(u)).some((l) => l.includes('\n')) ? 52 : 36),
    splits: (u: uPlot, _axis: number, min: number, max: number) => {
      const inView = boundaries(u).filter((t) => t >= min && t <= max);
      const width = u.bbox.width / devicePixelRatio;
      return thinTicks(inView, max > min ? width / (max - min) : 0);
    },
    values: (_u: uPlot, splits: number[]) => boundaryLabels(splits),
  };
}
