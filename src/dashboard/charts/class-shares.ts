// A categorical column's counts per step (the collector's, from GET …/summaries) laid out for a
// stacked chart of each class's share of the step. The counts are the collector's unchanged; a
// share is a count over the step's total of class counts, which is formatting, not a statistic.
import type { SummaryPoint } from 'edgewatch/read-api';

/** Classes drawn one by one; the rest share one band, so a chart stays readable. */
export const MAX_CLASSES = 8;
export const OTHER_CLASSES = 'other classes';

export interface ClassShares {
  /** Bands from the bottom up: the most predicted classes over the range first. */
  classes: string[];
  /** Classes folded into the last band (`OTHER_CLASSES`), when there are more than MAX_CLASSES. */
  folded: string[];
  /** Step starts (ms). */
  x: number[];
  /** counts[c][i]: class c's count in step i; null where the step is suppressed or lacks the column. */
  counts: (number | null)[][];
  /** Sum of the step's class counts; null as above. */
  totals: (number | null)[];
  /** shares[c][i] = counts[c][i] / totals[i]; null without a total. */
  shares: (number | null)[][];
  /** stacked[c][i]: shares of classes 0..c added up (the top edge of band c). */
  stacked: (number | null)[][];
}

export function classShares(points: SummaryPoint[], column: string): ClassShares {
  // Private-mode counts carry noise and may be negative: clamped at 0, as the collector does
  // before any ratio of noisy counts.
  const perStep = points.map((p) => {
    const s = p.suppressed ? undefined : p.columns?.[column];
    if (!s || s.kind !== 'categorical') return undefined;
    return new Map(s.items.map((i) => [i.value, Math.max(0, i.count)]));
  });
  const overall = new Map<string, number>();
  for (const m of perStep) for (const [v, n] of m ?? []) overall.set(v, (overall.get(v) ?? 0) + n);
  // A class never predicted in the range (e.g. a vocabulary's `__other__` cell) gets no band.
  const ranked = [...overall.keys()]
    .filter((v) => overall.get(v)! > 0)
    .sort((a, b) => overall.get(b)! - overall.get(a)! || a.localeCompare(b));
  const fold = ranked.length > MAX_CLASSES;
  const shown = fold ? ranked.slice(0, MAX_CLASSES - 1) : ranked;
  const folded = fold ? ranked.slice(MAX_CLASSES - 1) : [];
  const classes = fold ? [...shown, OTHER_CLASSES] : shown;

  const counts = classes.map((c) =>
    perStep.map((m) => {
      if (!m) return null;
      if (c === OTHER_CLASSES && fold) return folded.reduce((a, v) => a + (m.get(v) ?? 0), 0);
      return m.get(c) ?? 0;
    }),
  );
  const totals = perStep.map((m) => (m ? [...m.values()].reduce((a, b) => a + b, 0) : null));
  const shares = counts.map((row) => row.map((n, i) => (n === null || !totals[i] ? null : n / totals[i]!)));
  const stacked: (number | null)[][] = [];
  shares.forEach((row, c) => stacked.push(row.map((v, i) => (v === null ? null : v + (c > 0 ? (stacked[c - 1][i] ?? 0) : 0)))));
  return { classes, folded, x: points.map((p) => p.from), counts, totals, shares, stacked };
}
