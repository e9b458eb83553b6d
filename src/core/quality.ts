// Data-quality checks beside drift: the engine reports the shares (assembly/drift.ts); this file
// names them and applies the thresholds. A check whose value is NaN (no rows, or a share the
// sketch cannot know) is reported and never flagged.
import type { CATEGORICAL_DRIFT, Fields, NUMERIC_DRIFT } from './layouts.ts';
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

/** Numeric: missing-rate change, NaN, +Inf and −Inf rise, outside the baseline range, zeros. */
export function numericQuality(f: Fields<typeof NUMERIC_DRIFT>, o: Required<QualityOptions>): QualityReport {
  return report([
    check('missing_rate_change', f.missingRateCurrent - f.missingRateBaseline, o.missingRate),
    check('nan_share_rise', Math.max(f.nanShareCurrent - f.nanShareBaseline, 0), o.nonFinite),
    check('pos_inf_share_rise', Math.max(f.posInfShareCurrent - f.posInfShareBaseline, 0), o.nonFinite),
    check('neg_inf_share_rise', Math.max(f.negInfShareCurrent - f.negInfShareBaseline, 0), o.nonFinite),
    check('outside_baseline_range', f.outsideBaselineRange, o.outsideRange),
    check('zero_share_change', f.zeroShareChange, o.zeroShare),
  ]);
}

/** Categorical: missing-rate change and the share of categories new to the baseline. */
export function categoricalQuality(f: Fields<typeof CATEGORICAL_DRIFT>, o: Required<QualityOptions>): QualityReport {
  return report([
    check('missing_rate_change', f.missingRateCurrent - f.missingRateBaseline, o.missingRate),
    check('new_category_share', f.newCategoryShare, o.newCategories),
  ]);
}
