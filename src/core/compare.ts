// Drift report between a baseline profile and a current one: the engine computes every
// statistic; this file names them and applies the verdict rule.
import type { Profile } from './profile.ts';
import { CoreError } from './errors.ts';
import { CATEGORICAL_DRIFT, fields, NUMERIC_DRIFT, type Fields } from './layouts.ts';
import type { CategoricalDrift, ColumnDrift, DriftReport, DriftVerdict, NumericDrift, SchemaReport } from './types.ts';
import { QUALITY_DEFAULTS, categoricalQuality, numericQuality, type QualityOptions } from './quality.ts';

/**
 * Verdict rule (defaults in the spirit of Evidently): with at most `smallSample` baseline values,
 * a p-value test (KS for numbers, chi-square for categories) at `pvalue`; with more, a distance
 * — Wasserstein-1 divided by the baseline's standard deviation, or the Jensen–Shannon distance —
 * at its threshold, because on large samples every p-value ends up "significant". Categories
 * need both the distance and the chi-square test: with thousands of them the distance of a
 * random split alone exceeds any fixed threshold.
 */
export interface DriftOptions {
  smallSample?: number;
  pvalue?: number;
  wassersteinNorm?: number;
  js?: number;
}

export const DRIFT_DEFAULTS: Required<DriftOptions> = { smallSample: 1000, pvalue: 0.05, wassersteinNorm: 0.1, js: 0.1 };

export function compareProfiles(baseline: Profile, current: Profile, options: DriftOptions & QualityOptions = {}): DriftReport {
  const steps = compareSteps(baseline, current, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * compareProfiles() with `pause()` awaited every `every` columns: the engine compares a wide
 * profile's columns one by one (a 1,024-column pair takes a few hundred ms), and a server
 * comparing in the background gives its event loop back between slices.
 */
export async function compareProfilesInSlices(
  baseline: Profile,
  current: Profile,
  options: DriftOptions & QualityOptions,
  pause: () => Promise<void>,
  every = 16,
): Promise<DriftReport> {
  const steps = compareSteps(baseline, current, options);
  for (let n = 1; ; n++) {
    const r = steps.next();
    if (r.done) return r.value;
    if (n % every === 0) await pause();
  }
}

/** The comparison, one baseline column per step. */
function* compareSteps(baseline: Profile, current: Profile, options: DriftOptions & QualityOptions): Generator<void, DriftReport> {
  if (baseline.engine !== current.engine) throw new CoreError('profiles from different cores cannot be compared');
  const opts = { ...DRIFT_DEFAULTS, ...QUALITY_DEFAULTS, ...options };
  const columns: Record<string, ColumnDrift> = Object.create(null);
  const schema: SchemaReport = { flagged: false, missing: [], added: [], changed: [] };
  const e = baseline.engine;
  const currentCols = current.columns;
  for (let ia = 0; ia < baseline.columns.length; ia++) {
    const { name, kind } = baseline.columns[ia];
    const ib = current.indexOf(name);
    if (ib < 0) {
      schema.missing.push(name);
      continue;
    }
    // A column that changed kind is a schema change to report, not a reason to lose the others.
    if ((kind === 'categorical') !== (currentCols[ib].kind === 'categorical')) {
      schema.changed.push({ name, baseline: kind, current: currentCols[ib].kind });
      continue;
    }
    const n = e.index(e.x.compare_columns(baseline.handle, ia, current.handle, ib), `column '${name}'`);
    const f = e.resultF64(n);
    columns[name] =
      kind === 'categorical' ? categorical(fields(CATEGORICAL_DRIFT, f, name), opts) : numeric(fields(NUMERIC_DRIFT, f, name), opts);
    yield;
  }
  for (const c of currentCols) if (baseline.indexOf(c.name) < 0) schema.added.push(c.name);
  schema.flagged = schema.missing.length + schema.added.length + schema.changed.length > 0;
  return { columns, schema };
}

type Options = Required<DriftOptions> & Required<QualityOptions>;

function numeric(f: Fields<typeof NUMERIC_DRIFT>, o: Options): NumericDrift {
  const ks = { statistic: f.ksStatistic, pvalue: f.ksPvalue, bound: f.ksBound };
  const wNorm = f.wassersteinNorm;
  const small = f.cellsBaseline <= o.smallSample;
  return {
    kind: 'numeric',
    count: [f.countBaseline, f.countCurrent],
    missing_rate: [f.missingRateBaseline, f.missingRateCurrent],
    mean: [f.meanBaseline, f.meanCurrent],
    quantiles: { '0.5': [f.p50Baseline, f.p50Current], '0.9': [f.p90Baseline, f.p90Current], '0.99': [f.p99Baseline, f.p99Current] },
    ks,
    wasserstein: f.wasserstein,
    wasserstein_bound: f.wassersteinBound,
    psi: f.psi,
    js: f.js,
    hellinger: f.hellinger,
    psi_bound: f.psiBound,
    js_bound: f.jsBound,
    hellinger_bound: f.hellingerBound,
    // Each rule also says whether the statistic's bound reaches across its threshold.
    drifted: small
      ? verdict('ks.pvalue', ks.pvalue, o.pvalue, ks.pvalue < o.pvalue, f.ksPvalueMin < o.pvalue !== f.ksPvalueMax < o.pvalue)
      : verdict(
          'wasserstein_norm',
          wNorm,
          o.wassersteinNorm,
          wNorm >= o.wassersteinNorm,
          wNorm - f.wassersteinNormBound >= o.wassersteinNorm !== wNorm + f.wassersteinNormBound >= o.wassersteinNorm,
        ),
    quality: numericQuality(f, o),
  };
}

function categorical(f: Fields<typeof CATEGORICAL_DRIFT>, o: Options): CategoricalDrift {
  const chi2 = { statistic: f.chi2Statistic, pvalue: f.chi2Pvalue, dof: f.chi2Dof };
  const js = f.js;
  const small = f.cellsBaseline <= o.smallSample;
  return {
    kind: 'categorical',
    count: [f.countBaseline, f.countCurrent],
    missing_rate: [f.missingRateBaseline, f.missingRateCurrent],
    chi2,
    linf: f.linf,
    js,
    psi: f.psi,
    // A distance alone fires on random splits of many categories (its noise floor grows with
    // √(K/n)); large samples must also pass the significance test, which is calibrated.
    drifted: small
      ? verdict('chi2.pvalue', chi2.pvalue, o.pvalue, chi2.pvalue < o.pvalue)
      : verdict('js', js, o.js, js >= o.js && chi2.pvalue < o.pvalue),
    quality: categoricalQuality(f, o),
  };
}

function verdict(test: string, value: number, threshold: number, drifted: boolean, uncertain = false): DriftVerdict {
  // No data on one side (NaN) is no evidence of drift.
  return { drifted: Number.isNaN(value) ? false : drifted, test, value, threshold, uncertain: Number.isNaN(value) ? false : uncertain };
}
