// Data-quality checks beside drift: the engine reports the shares (assembly/drift.ts); this file
// names them and applies the thresholds. A check whose value is NaN (no rows, or a share the
// sketch cannot know) is reported and never flagged.
import type { QualityCheck, QualityReport } from './types.ts';

export interface QualityOptions {
  /** |missing-rate change| at or above which a column is flagged. */
  missingRate?: number;
  /** Rise in the share of NaN, or of ±Inf, among present rows. */
  nonFinite?: number;
  /** Share of current finite values outside the baseline's [min, max]. */
  outsideRange?: number;
  /** |change| in the share of exact zeros. */
  zeroShare?: number;
  /** Share of current values in categories the baseline never saw. */
  newCategories?: number;
}

export const QUALITY_DEFAULTS: Required<QualityOptions> = {
  missingRate: 0.1,
  nonFinite: 0.01,
  outsideRange: 0.05,
  zeroShare: 0.1,
  newCategories: 0.05,
};

export function check(name: string, value: number, threshold: number): QualityCheck {
  return { name, value, threshold, flagged: !Number.isNaN(value) && Math.abs(value) >= threshold };
}

export function report(checks: QualityCheck[]): QualityReport {
  return { flagged: checks.some((c) => c.flagged), checks };
}

const change = (f: Float64Array, i: number) => f[i + 1] - f[i];

/** Numeric: missing-rate change, NaN, +Inf and −Inf rise, outside the baseline range, zeros. */
export function numericQuality(f: Float64Array, o: Required<QualityOptions>): QualityReport {
  return report([
    check('missing_rate_change', change(f, 3), o.missingRate),
    check('nan_share_rise', Math.max(change(f, 23), 0), o.nonFinite),
    check('pos_inf_share_rise', Math.max(change(f, 25), 0), o.nonFinite),
    check('neg_inf_share_rise', Math.max(change(f, 27), 0), o.nonFinite),
    check('outside_baseline_range', f[31], o.outsideRange),
    check('zero_share_change', change(f, 29), o.zeroShare),
  ]);
}

/** Categorical: missing-rate change and the share of categories new to the baseline. */
export function categoricalQuality(f: Float64Array, o: Required<QualityOptions>): QualityReport {
  return report([check('missing_rate_change', change(f, 3), o.missingRate), check('new_category_share', f[13], o.newCategories)]);
}
