// The shapes the collector's JSON read API returns (src/collector/http/routes/read.ts and
// alerts.ts). Column summaries and drift results are the core's own types; the shapes the
// collector's read code builds come from edgewatch/read-api, as the collector's own do.
import type { CategoricalSummary, ColumnDrift, ColumnSummary, NumericDrift, NumericSummary } from 'edgewatch';
import type { ErrorBar } from 'edgewatch';
import type { AlertState, Incident, IncidentFilter, OutputPerformance, Signal, StepColumn, TimelineEntry } from 'edgewatch/read-api';

export type {
  AlertState,
  CategoricalSummary,
  ColumnDrift,
  ColumnSummary,
  NumericDrift,
  NumericSummary,
  ErrorBar,
  Incident,
  IncidentFilter,
  OutputPerformance,
  Signal,
  StepColumn,
  TimelineEntry,
};

export interface ModelVersion {
  model: string;
  version: string;
  /** Column name → kind ('numeric' | 'grid' | 'categorical'). */
  columns: Record<string, string>;
  baseline: boolean;
  /** Null below k devices. */
  devices: number | null;
  lastUploadAt: number | null;
}

export interface ModelsResponse {
  k: number;
  models: ModelVersion[];
}

export interface Counts {
  devices: number;
  uploads: number;
  rows: number;
}

export interface ProfileResponse extends Counts {
  from: number;
  to: number;
  k: number;
  suppressed: boolean;
  layouts?: number;
  columns?: Record<string, ColumnSummary>;
  baseline?: Record<string, ColumnSummary> | null;
  /** Present when private-mode (noisy) uploads are merged in: how many, and their noise scales. */
  privacy?: { noisyUploads: number; noiseScales: Record<string, number>; cellError?: ErrorBar };
}

/** GET …/performance (src/collector/http/routes/performance.ts). */
export interface PerformanceResponse extends Counts {
  from: number;
  to: number;
  k: number;
  suppressed: boolean;
  layouts?: number;
  outputs?: Record<string, OutputPerformance>;
  /** Private mode: the error bar of one count cell. */
  cellError?: ErrorBar;
}

export interface DriftPoint extends Counts {
  from: number;
  to: number;
  suppressed: boolean;
  driftedColumns?: number;
  comparedColumns?: number;
  columns?: Record<string, ColumnDrift>;
  /** Baseline columns the step lacks, and columns of another kind than in the baseline. */
  schema?: SchemaChanges;
}

export interface SchemaChanges {
  missing: string[];
  changed: { name: string; baseline: string; current: string }[];
}

export interface DriftResponse {
  k: number;
  step: number;
  points: DriftPoint[];
}

/** GET …/summaries: chosen columns per step, no baseline needed (src/collector/read/summaries.ts). */
export interface SummaryPoint extends Counts {
  from: number;
  to: number;
  suppressed: boolean;
  columns?: Record<string, StepColumn>;
}

export interface SummariesResponse {
  k: number;
  step: number;
  quantiles: string[];
  points: SummaryPoint[];
}

export interface Segment extends Counts {
  segment: Record<string, string>;
}

export interface SegmentsResponse {
  k: number;
  segments: Segment[];
}

/** What an alert carries: src/collector/alerts/series.ts and evaluate.ts. */
export interface AlertEvidence {
  project?: string;
  model?: string;
  version?: string;
  column?: string | null;
  segment?: Record<string, string> | null;
  /** The rolling window the rule was evaluated over: its name (`1h`, `24h`) and bounds. */
  window?: { name?: string; from: number; to: number };
  statistic?: string;
  value?: number;
  op?: string;
  threshold?: number;
  severity?: string;
  owner?: string;
  rule?: string;
  link?: string | null;
  test?: string;
  verdict?: { drifted: boolean; test: string; value: number; threshold: number };
  quantiles?: Record<string, [number, number]>;
  current?: Record<string, number>;
  baseline?: number;
  [key: string]: unknown;
}

export interface Alert {
  id: number;
  rule: string;
  series: string;
  state: AlertState;
  severity: string;
  owner: string;
  value: number | null;
  startedAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  evidence: AlertEvidence;
}

export interface AlertsResponse {
  alerts: Alert[];
}

export interface AlertRule {
  id: number;
  name: string;
  metric: string;
  model?: string | null;
  version?: string | null;
  column?: string | null;
  op: string;
  threshold: number;
  for: number;
  severity: string;
  owner: string;
  /** The rolling window the rule observes (`1h` unless set). */
  window?: string;
  /** Evaluated per k-anonymous segment rather than over the whole version. */
  bySegment?: boolean;
}

export interface RulesResponse {
  rules: AlertRule[];
}

export interface RankedSegment {
  segment: Record<string, string>;
  devices: number;
  rows: number;
  driftContribution: number | null;
}

export interface IncidentDetail {
  incident: Incident;
  timeline: TimelineEntry[];
  segmentRanking: Record<string, RankedSegment[]>;
}

export type IncidentAction = 'acknowledge' | 'silence' | 'snooze' | 'decide';

/** GET …/segments/ranking: src/collector/read/segment-ranking.ts. */
export interface SegmentRankingResponse {
  column: string | null;
  k: number;
  segments: (RankedSegment & { drift: ColumnDrift | null })[];
}

/** GET /v1/slos: an SLO and where it stands per version (src/collector/slo/status.ts). */
export interface SloView {
  name: string;
  model: string;
  version: string | null;
  indicator: string;
  threshold: number | null;
  objective: number;
  period: string;
  owner: string;
  versions: { version: string; budgetRemaining: number | null; burn: Record<string, number | null> }[];
}
