// The engine's results, declared once: each export of assembly/ that answers with f64s writes
// the fields of its layout in this order (a fixed head, then as many records as the head says),
// and TypeScript reads them by these names only. test/core/layouts.test.ts checks that every
// answer is exactly as long as its layout says.

/** compare_columns on two numeric columns: [baseline, current] pairs, statistics, quality inputs. */
export const NUMERIC_DRIFT = [
  'kind',
  'countBaseline',
  'countCurrent',
  'missingRateBaseline',
  'missingRateCurrent',
  'meanBaseline',
  'meanCurrent',
  'p50Baseline',
  'p50Current',
  'p90Baseline',
  'p90Current',
  'p99Baseline',
  'p99Current',
  'ksStatistic',
  'ksPvalue',
  'wasserstein',
  'wassersteinNorm',
  'psi',
  'js',
  'hellinger',
  'cellsBaseline',
  'cellsCurrent',
  'ksBound',
  'nanShareBaseline',
  'nanShareCurrent',
  'posInfShareBaseline',
  'posInfShareCurrent',
  'negInfShareBaseline',
  'negInfShareCurrent',
  'outsideBaselineRange',
  'wassersteinBound',
  'ksPvalueMin',
  'ksPvalueMax',
  'wassersteinNormBound',
  'psiBound',
  'jsBound',
  'hellingerBound',
  'zeroShareChange',
] as const;

/** compare_columns on two categorical columns. */
export const CATEGORICAL_DRIFT = [
  'kind',
  'countBaseline',
  'countCurrent',
  'missingRateBaseline',
  'missingRateCurrent',
  'chi2Statistic',
  'chi2Pvalue',
  'chi2Dof',
  'linf',
  'js',
  'psi',
  'cellsBaseline',
  'cellsCurrent',
  'newCategoryShare',
] as const;

export const ROC_AUC = ['auc', 'positives', 'negatives'] as const;

/** calibration_error: the head, then `bins` records. */
export const CALIBRATION = { head: ['ece', 'total', 'bins'], record: ['count', 'correct', 'accuracy', 'confidence'] } as const;

/** confusion_metrics over k classes: the head, then one record per class in the matrix's order. */
export const CONFUSION = { head: ['accuracy', 'total'], record: ['precision', 'recall', 'support', 'predicted'] } as const;

export const NOISE_ERROR = ['sd', 'halfWidth95'] as const;

export type Fields<L extends readonly string[]> = { readonly [K in L[number]]: number };

/** The named fields of a fixed layout; throws when the engine answered another length. */
export function fields<L extends readonly string[]>(layout: L, f: Float64Array, what: string): Fields<L> {
  if (f.length !== layout.length)
    throw new Error(`edgewatch: the core answered ${f.length} numbers for ${what}, its layout has ${layout.length}`);
  return named(layout, f, 0);
}

/** The head and its records; `count` reads how many records the head announces. */
export function records<H extends readonly string[], R extends readonly string[]>(
  layout: { head: H; record: R },
  f: Float64Array,
  count: (head: Fields<H>) => number,
  what: string,
): { head: Fields<H>; records: Fields<R>[] } {
  const head = named(layout.head, f, 0);
  const n = count(head);
  if (f.length !== layout.head.length + n * layout.record.length) {
    throw new Error(
      `edgewatch: the core answered ${f.length} numbers for ${what}, its layout has ${layout.head.length} + ${n}×${layout.record.length}`,
    );
  }
  return { head, records: Array.from({ length: n }, (_, i) => named(layout.record, f, layout.head.length + i * layout.record.length)) };
}

function named<L extends readonly string[]>(layout: L, f: Float64Array, at: number): Fields<L> {
  const out = {} as Record<string, number>;
  layout.forEach((name, i) => (out[name] = f[at + i]));
  return out as Fields<L>;
}
