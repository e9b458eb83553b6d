// Lays the collector's sketches out for drawing. The bucket boundaries follow the sketch's
// definition (docs/core.md: at scale s, bucket i covers (2^(i·2^-s), 2^((i+1)·2^-s)]); the
// counts are the collector's, unchanged. Nothing here estimates anything.
import type { CategoricalSummary, ColumnSummary, NumericSummary } from 'edgewatch';

export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

export interface Binned {
  bins: Bin[];
  /** Values at exactly zero (exponential histograms keep them apart). */
  zero: number;
  /** Grid cells outside the edges whose extent is unknown (no exact min/max in private mode). */
  below: number;
  above: number;
}

export function binsOf(s: NumericSummary): Binned {
  const out: Binned = { bins: [], zero: s.zeroCount ?? 0, below: 0, above: 0 };
  if (s.edges && s.counts) {
    const e = s.edges;
    const c = s.counts;
    for (let i = 1; i < e.length; i++) out.bins.push({ lo: e[i - 1], hi: e[i], count: c[i] });
    // Under- and overflow cells reach to ±∞; drawn only when the exact min/max bound them.
    if (Number.isFinite(s.min) && s.min < e[0]) out.bins.unshift({ lo: s.min, hi: e[0], count: c[0] });
    else out.below = c[0];
    const last = c[e.length];
    if (Number.isFinite(s.max) && s.max > e[e.length - 1]) out.bins.push({ lo: e[e.length - 1], hi: s.max, count: last });
    else out.above = last;
    return out;
  }
  const base = 2 ** (2 ** -(s.scale ?? 0));
  const bound = (i: number) => base ** i;
  if (s.negative) {
    const { offset, counts } = s.negative;
    for (let i = counts.length - 1; i >= 0; i--) out.bins.push({ lo: -bound(offset + i + 1), hi: -bound(offset + i), count: counts[i] });
  }
  if (s.positive) {
    const { offset, counts } = s.positive;
    for (let i = 0; i < counts.length; i++) out.bins.push({ lo: bound(offset + i), hi: bound(offset + i + 1), count: counts[i] });
  }
  // The outermost buckets reach no further than the exact min and max.
  if (out.bins.length && Number.isFinite(s.min) && Number.isFinite(s.max)) {
    out.bins[0].lo = Math.max(out.bins[0].lo, Math.min(s.min, out.bins[0].hi));
    const last = out.bins[out.bins.length - 1];
    last.hi = Math.min(last.hi, Math.max(s.max, last.lo));
  }
  return out;
}

/**
 * Two binnings on one x axis for a stepped overlay: x is the union of every bin edge, and each
 * series holds, from x[j] to x[j+1], the count of its bin covering that stretch (null outside).
 */
export function overlay(a: Bin[], b: Bin[]): { x: number[]; a: (number | null)[]; b: (number | null)[] } {
  const xs = [...new Set([...a, ...b].flatMap((bin) => [bin.lo, bin.hi]))].sort((p, q) => p - q);
  const at = (bins: Bin[]) => {
    let k = 0;
    return xs.map((x, j) => {
      if (j === xs.length - 1) return null;
      while (k < bins.length && bins[k].hi <= x) k++;
      return k < bins.length && bins[k].lo <= x ? bins[k].count : null;
    });
  };
  return { x: xs, a: at(a), b: at(b) };
}

export interface CategoryBars {
  labels: string[];
  baseline: (number | null)[];
  current: (number | null)[];
  /** Values left out beyond `limit`. */
  more: number;
}

/** Categories of both sides, most frequent now first (then in the baseline), at most `limit`. */
export function categoryBars(current?: CategoricalSummary, baseline?: CategoricalSummary, limit = 20): CategoryBars {
  const cur = new Map((current?.items ?? []).map((i) => [i.value, i.count]));
  const base = new Map((baseline?.items ?? []).map((i) => [i.value, i.count]));
  const labels = [...new Set([...cur.keys(), ...base.keys()])].sort(
    (p, q) => (cur.get(q) ?? 0) - (cur.get(p) ?? 0) || (base.get(q) ?? 0) - (base.get(p) ?? 0) || p.localeCompare(q),
  );
  const shown = labels.slice(0, limit);
  return {
    labels: shown,
    current: shown.map((l) => cur.get(l) ?? (current ? 0 : null)),
    baseline: shown.map((l) => base.get(l) ?? (baseline ? 0 : null)),
    more: labels.length - shown.length,
  };
}

export function isNumeric(s: ColumnSummary | undefined): s is NumericSummary {
  return !!s && s.kind !== 'categorical';
}

/**
 * Counts as shares of a side's total, for drawing both sides on one axis; null stays null. On
 * a log axis, empty bins are gaps (0 has no logarithm).
 */
export function shares(values: (number | null)[], total: number, log = false): (number | null)[] {
  return values.map((v) => (v === null || total <= 0 || (log && v <= 0) ? null : v / total));
}

/** Every value a binning holds: its bins, its zeros and what lies beyond the grid's edges. */
export function binnedTotal(b: Binned): number {
  return b.bins.reduce((n, x) => n + x.count, 0) + b.zero + b.below + b.above;
}

/**
 * The zero bucket as a bin of its own, centred on 0 and as narrow as the buckets next to it,
 * so a spike of zeros is drawn where it is instead of only listed.
 */
export function withZeroBin(b: Binned): Bin[] {
  if (!b.zero) return b.bins;
  const pos = b.bins.find((x) => x.lo >= 0);
  const neg = [...b.bins].reverse().find((x) => x.hi <= 0);
  const span = b.bins.length ? b.bins[b.bins.length - 1].hi - b.bins[0].lo : 2;
  const half = Math.min(pos ? pos.lo : Infinity, neg ? -neg.hi : Infinity, (pos ? pos.hi - pos.lo : Infinity) / 2, span / 200 || 1);
  const zero = { lo: -half, hi: half, count: b.zero };
  return [...b.bins.filter((x) => x.hi <= -half), zero, ...b.bins.filter((x) => x.lo >= half)];
}
