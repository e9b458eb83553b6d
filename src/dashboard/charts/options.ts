// uPlot configurations for the dashboard's kinds of chart: a baseline-vs-current overlay and
// grouped bars for categories (both sides as shares of their own totals on one axis, so the
// heights compare; linear or log), time series, and stacked shares over time.
import uPlot from 'uplot';
import { num, percent } from '../format.ts';
import type { ChartOptions } from './ew-chart.ts';
import { boundaryAxis, stepBoundaries } from './time-axis.ts';

export const COLORS = {
  baseline: '#5b6b8c',
  current: '#d9641e',
  threshold: '#c0282d',
  second: '#2a8c6a',
  third: '#7b4fc9',
};

const axisFont = '12px system-ui, sans-serif';
const axisBase = { stroke: '#444', font: axisFont, grid: { stroke: '#e6e6e6', width: 1 }, ticks: { stroke: '#ccc', width: 1 } };
const compact = (_u: uPlot, vals: number[]) => vals.map((v) => (v === null ? '' : num(v, 3)));

/** How a distribution's y axis reads: shares on a linear axis, or on a log axis (small bins show). */
export type ShareScale = 'linear' | 'log';

const shareAxis = (scale: ShareScale) =>
  scale === 'log'
    ? { distr: 3 as const, auto: true }
    : { auto: true, range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max || 1] };
const shareValues = (_u: uPlot, vals: number[]) => vals.map((v) => (v === null ? '' : percent(v)));

/** Baseline and current histograms over the same value axis, stepped, as shares on one axis. */
export function overlayOptions(unit: string, scale: ShareScale = 'linear', logX = false): ChartOptions {
  const stepped = uPlot.paths.stepped!({ align: 1 });
  return {
    // A log value axis (latency): values spread over orders of magnitude, not one spike near 0.
    scales: { x: logX ? { time: false, distr: 3 } : { time: false }, share: shareAxis(scale) },
    axes: [
      { ...axisBase, label: unit, values: compact },
      { ...axisBase, scale: 'share', label: `share of values${scale === 'log' ? ' (log)' : ''}`, values: shareValues },
    ],
    series: [
      { label: unit },
      {
        label: 'baseline',
        scale: 'share',
        stroke: COLORS.baseline,
        fill: 'rgba(91,107,140,0.18)',
        width: 1.5,
        paths: stepped,
        value: (_u, v) => percent(v),
      },
      {
        label: 'current',
        scale: 'share',
        stroke: COLORS.current,
        fill: 'rgba(217,100,30,0.16)',
        width: 2,
        paths: stepped,
        value: (_u, v) => percent(v),
      },
    ],
    cursor: { drag: { x: false, y: false } },
  };
}

/** Grouped bars over category labels: baseline and current, each as shares of its total, one axis. */
export function barsOptions(labels: string[], scale: ShareScale = 'linear', current = 'current', baseline = 'baseline'): ChartOptions {
  const bars = (offset: number) => uPlot.paths.bars!({ size: [0.35, 48], align: offset as 1 | -1 });
  const label = (_u: uPlot, vals: number[]) => vals.map((v) => (Number.isInteger(v) ? (labels[v] ?? '') : ''));
  return {
    scales: { x: { time: false, range: [-0.6, labels.length - 0.4] }, share: shareAxis(scale) },
    axes: [
      {
        ...axisBase,
        values: label,
        splits: () => labels.map((_, i) => i),
        grid: { show: false },
        rotate: labels.length > 6 ? -30 : 0,
        size: labels.length > 6 ? 70 : 40,
      } as uPlot.Axis,
      { ...axisBase, scale: 'share', label: `share of values${scale === 'log' ? ' (log)' : ''}`, values: shareValues },
    ],
    series: [
      { label: 'value', value: (_u, v) => labels[v] ?? '' },
      {
        label: baseline,
        scale: 'share',
        stroke: COLORS.baseline,
        fill: 'rgba(91,107,140,0.55)',
        paths: bars(-1),
        points: { show: false },
        value: (_u, v) => percent(v),
      },
      {
        label: current,
        scale: 'share',
        stroke: COLORS.current,
        fill: 'rgba(217,100,30,0.7)',
        paths: bars(1),
        points: { show: false },
        value: (_u, v) => percent(v),
      },
    ],
    cursor: { drag: { x: false, y: false } },
  };
}

export interface TimeSeries {
  label: string;
  color: string;
  dash?: number[];
  /** Name of a y scale; series with the same scale share an axis. */
  scale?: string;
}

/** A moment to mark on a time chart: an incident opening, a version appearing. */
export interface Marker {
  at: number;
  label: string;
}

/** Draws each marker as a dashed vertical line with its label at the top of the plot. */
function drawMarkers(markers: Marker[]) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    ctx.save();
    ctx.strokeStyle = COLORS.threshold;
    ctx.fillStyle = COLORS.threshold;
    ctx.setLineDash([3, 3]);
    ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
    for (const m of markers) {
      const x = u.valToPos(m.at, 'x', true);
      if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) continue;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillText(m.label, x + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
    }
    ctx.restore();
  };
}

/** Lines over time (x in ms since the epoch); one y axis per distinct scale (at most two). */
export function timelineOptions(
  series: TimeSeries[],
  yLabels: Record<string, string> = {},
  integers = false,
  markers: Marker[] = [],
): ChartOptions {
  // Counts get whole-number ticks only.
  const incrs = integers ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] : undefined;
  const scales = [...new Set(series.map((s) => s.scale ?? 'y'))];
  return {
    ms: 1,
    // y from zero: distances, counts and p-values all start there, and a flat line stays flat.
    scales: {
      // The last step is drawn to its end, so every window's boundaries are on the axis.
      x: {
        time: true,
        range: (u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
          const end = Math.max(max, stepBoundaries(u.data?.[0] ?? []).at(-1) ?? max);
          // A lone point (one step) gets a minute either side.
          return end > min ? [min, end] : [min - 60_000, min + 60_000];
        },
      },
      ...Object.fromEntries(
        scales.map((s) => [
          s,
          { auto: true, range: (_u: uPlot, min: number, max: number) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] as uPlot.Range.MinMax },
        ]),
      ),
    },
    axes: [
      boundaryAxis(axisBase),
      ...scales.map((s, i) => ({
        ...axisBase,
        scale: s,
        label: yLabels[s] ?? '',
        side: i === 0 ? 3 : 1,
        grid: { show: i === 0 },
        values: compact,
        incrs,
      })),
    ],
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        dash: s.dash,
        scale: s.scale ?? 'y',
        spanGaps: false,
        points: { show: true, size: 4 },
        value: (_u: uPlot, v: number) => num(v),
      })),
    ],
    // Drag across a time chart to zoom: the selection becomes the view's range (ew-app).
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: { setSelect: [zoomToSelection], draw: markers.length ? [drawMarkers(markers)] : [] },
  };
}

/**
 * A time chart's selection, as the `range-change` event the range picker sends: the shell puts
 * the exact window in the URL, and every view reloads over it. Selections of a few pixels
 * (clicks) are ignored.
 */
export function zoomToSelection(u: uPlot): void {
  const { left, width } = u.select;
  if (width < 4) return;
  const from = Math.round(u.posToVal(left, 'x'));
  const to = Math.round(u.posToVal(left + width, 'x'));
  u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  if (to > from) u.root.dispatchEvent(new CustomEvent('range-change', { detail: { range: { from, to } }, bubbles: true, composed: true }));
}

/**
 * Band colours of a stacked chart, bottom up: the Okabe–Ito palette (told apart with the common
 * colour-vision deficiencies) without its yellow, which is too light on white.
 */
export const BAND_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#6e6e6e', '#000000'];

/**
 * Stacked bars over time, one bar per step centred on its middle (x), so a lone step with data
 * shows as well as a run of them: series c is drawn from the top of the band below it (the band
 * [c + 1, c]) up to `stacked[c]`; the legend shows each band's own value from `own`.
 */
export function stackedSharesOptions(labels: string[], own: (number | null)[][], step: number): ChartOptions {
  const bars = uPlot.paths.bars!({ size: [0.85, 64], align: 0 });
  return {
    ms: 1,
    scales: {
      // Half a step of room on each side for the first and last bars.
      x: { time: true, range: (_u: uPlot, min: number, max: number) => [min - step / 2, max + step / 2] as uPlot.Range.MinMax },
      y: { auto: false, range: [0, 1] },
    },
    axes: [
      boundaryAxis(axisBase, step / 2),
      {
        ...axisBase,
        label: 'share of predictions',
        size: 56,
        values: (_u: uPlot, vals: number[]) => vals.map((v) => `${Math.round(v * 100)}%`),
        splits: () => [0, 0.25, 0.5, 0.75, 1],
      },
    ],
    series: [
      {},
      ...labels.map((label, c) => {
        const color = BAND_COLORS[c % BAND_COLORS.length];
        return {
          label,
          stroke: color,
          fill: `${color}cc`,
          width: 1,
          paths: bars,
          points: { show: false },
          value: (_u: uPlot, _v: number, _si: number, i: number | null) => (i === null ? '—' : percent(own[c][i])),
        };
      }),
    ],
    bands: labels.slice(1).map((_, c) => ({ series: [c + 2, c + 1] as [number, number] })),
    cursor: { drag: { x: false, y: false } },
  };
}
