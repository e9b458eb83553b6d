// The public shape of the edgewatch core. Everything here is implemented by the WebAssembly
// engine in assembly/; these types are the contract the edge runtime, the collector and the CLI
// code against.

// `Symbol.dispose` typed for apps whose lib predates it (create-vite sets ES2022): profiles and
// histograms implement it so that `using` frees their wasm memory. Declared as lib.esnext and
// @types/node declare it, so the three agree wherever they meet; here, because every published
// declaration that uses it imports this file's types.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** How one column is sketched. */
export type ColumnKind = 'numeric' | 'grid' | 'categorical';

export interface NumericColumnSpec {
  name: string;
  kind: 'numeric';
  /** Exponential-histogram scale, -10..8. Default 5 (relative quantile error <= 1.08%). */
  scale?: number;
  /** Bucket budget per sign; the histogram downscales to stay within it. Default 1024. */
  maxBuckets?: number;
  /**
   * Buckets hold x − center. 'auto' (the default): the mean of the first batch of values when they
   * lie farther than 4 standard deviations from zero (years, kelvin, timestamps, offsets), else 0,
   * so the histogram resolves their spread. Histograms merge only with equal centers, unless one
   * side still holds exact values (it is rebuilt around the other's center): windows that must
   * merge are recorded from one schema (`baseline.schema()` carries the center).
   */
  center?: number | 'auto';
}

export interface GridColumnSpec {
  name: string;
  kind: 'grid';
  /**
   * Sorted, finite, strictly increasing bin edges. Bins are right-closed: (-inf, e0], (e0, e1], …,
   * (e_last, +inf). Default: 0..1 in 100 equal bins (probability scores).
   */
  edges?: ArrayLike<number>;
}

export interface CategoricalColumnSpec {
  name: string;
  kind: 'categorical';
  /** Distinct values counted exactly before switching to a frequent-items sketch. Default 256. */
  capacity?: number;
  /**
   * A fixed vocabulary: every listed value is a cell (kept even at count 0) and anything else
   * folds into `__other__`. Used by the private upload mode.
   */
  vocabulary?: string[];
}

export type ColumnSpec = NumericColumnSpec | GridColumnSpec | CategoricalColumnSpec;

export interface Schema {
  columns: ColumnSpec[];
}

/** A cell value as it arrives from rows: null/undefined/'' are missing. */
export type CellValue = number | string | boolean | bigint | null | undefined;

/** Counters every column keeps. `count` includes missing rows. */
export interface ColumnCounters {
  count: number;
  missing: number;
  nan: number;
  posInf: number;
  negInf: number;
  /** Present and true when privacy noise was added: counts are noisy, exact moments withheld. */
  noisy?: boolean;
}

export interface NumericSummary extends ColumnCounters {
  name: string;
  kind: 'numeric' | 'grid';
  /** Finite values seen. */
  finite: number;
  sum: number;
  mean: number;
  /** Sample variance (n-1); NaN below two values. */
  variance: number;
  /** Sample standard deviation (n-1): finite for any finite data, where the variance may not be. */
  std: number;
  min: number;
  max: number;
  /** Exponential histogram only: the scale reached after any downscaling. */
  scale?: number;
  /** Exponential histogram only: buckets hold x − center; NaN while 'auto' has seen no value. */
  center?: number;
  /** Exponential histogram only: the relative error bound of quantiles (of x − center) at that scale. */
  relativeError?: number;
  zeroCount?: number;
  /** OpenTelemetry layout: counts[i] is bucket (offset + i). */
  positive?: { offset: number; counts: number[] };
  negative?: { offset: number; counts: number[] };
  /**
   * Exponential histogram with at most 128 distinct finite values: each value and its count,
   * ascending. Quantiles and drift statistics are then exact; absent once the column outgrew it.
   */
  exact?: { value: number; count: number }[];
  /** Fixed grid only: edges and counts (edges.length + 1 cells, under- and overflow included). */
  edges?: number[];
  counts?: number[];
}

export interface CategoricalSummary extends ColumnCounters {
  name: string;
  kind: 'categorical';
  /** 'exact': all counts exact; 'sketch': frequent items with errorBound; 'vocabulary': fixed cells. */
  mode: 'exact' | 'sketch' | 'vocabulary';
  /** Upper bound of the undercount of any item (0 when exact). */
  errorBound: number;
  /** Distinct values: exact in 'exact' mode, HyperLogLog estimate in 'sketch' mode. */
  distinct: number;
  items: { value: string; count: number }[];
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

export interface KsResult {
  /**
   * Read where both CDFs are known exactly when the two sides' cells end on common points
   * (then never above the exact D of the raw data); else on the interpolated CDFs.
   */
  statistic: number;
  pvalue: number;
  /**
   * Common points: the exact D is at most statistic + bound, the largest share of either sample
   * the sketches cannot place between two of them (0 when both sides are exact values). No common
   * points (a grid against a histogram, other centers): |statistic − exact D| <= bound. NaN with
   * privacy noise.
   */
  bound: number;
}

export interface Chi2Result {
  statistic: number;
  pvalue: number;
  dof: number;
}

export interface DriftVerdict {
  drifted: boolean;
  /** The statistic the verdict rests on, e.g. 'ks.pvalue' or 'wasserstein_norm'. */
  test: string;
  value: number;
  threshold: number;
  /**
   * The sketch's bound on the statistic straddles the threshold: the raw data could give the other
   * verdict (ks.bound for the KS p-value, wasserstein_bound for W1). Never true on exact values.
   */
  uncertain: boolean;
}

export interface NumericDrift {
  kind: 'numeric';
  count: [number, number];
  missing_rate: [number, number];
  mean: [number, number];
  quantiles: { '0.5': [number, number]; '0.9': [number, number]; '0.99': [number, number] };
  ks: KsResult;
  wasserstein: number;
  /** The exact W1 lies within wasserstein ± wasserstein_bound (0 on exact values; NaN with noise). */
  wasserstein_bound: number;
  psi: number;
  js: number;
  hellinger: number;
  /**
   * PSI, JS and Hellinger are within these of their values on the raw data (exact decile bins):
   * the mass of the cells holding the decile cuts, which may lie on either side of them. 0 on
   * exact values; NaN with noise.
   */
  psi_bound: number;
  js_bound: number;
  hellinger_bound: number;
  drifted: DriftVerdict;
  quality: QualityReport;
}

export interface CategoricalDrift {
  kind: 'categorical';
  count: [number, number];
  missing_rate: [number, number];
  chi2: Chi2Result;
  linf: number;
  js: number;
  psi: number;
  drifted: DriftVerdict;
  quality: QualityReport;
}

export type ColumnDrift = NumericDrift | CategoricalDrift;

/** One data-quality check: its value, the threshold it is held to, and whether it fired. */
export interface QualityCheck {
  name: string;
  value: number;
  threshold: number;
  flagged: boolean;
}

export interface QualityReport {
  flagged: boolean;
  checks: QualityCheck[];
}

/** Schema changes: columns only in one profile, or numeric in one and categorical in the other. */
export interface SchemaReport {
  flagged: boolean;
  missing: string[];
  added: string[];
  changed: { name: string; baseline: ColumnKind; current: ColumnKind }[];
}

export interface DriftReport {
  columns: Record<string, ColumnDrift>;
  schema: SchemaReport;
}
