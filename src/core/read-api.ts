// Shapes of the collector's read API that its read code builds and the dashboard (or any client)
// reads, declared where both can import them: `edgewatch/read-api`, types and constants only.
import type { ErrorBar } from './performance.ts';
import type { ColumnSummary } from './types.ts';

/** The quantiles every numeric summary of a step carries: the ones the drift comparison reports. */
export const STEP_QUANTILES = ['0.5', '0.9', '0.99'] as const;

/** A column of one step of GET …/summaries: the core's merged summary, with the step's quantiles. */
export type StepColumn = ColumnSummary & {
  /** Numeric and grid columns: the core's quantile of the step's finite values; null without any. */
  quantiles?: Record<(typeof STEP_QUANTILES)[number], number | null>;
};

export interface ClassPerformance {
  precision: number | null;
  recall: number | null;
  support: number;
  predicted: number;
  /** One-vs-rest ROC AUC from the class's score grids; null without them or without both sides. */
  auc: number | null;
}

/** One classifier output's performance on its labelled rows (GET …/performance). */
export interface OutputPerformance {
  labelled: number;
  accuracy: number | null;
  classes: Record<string, ClassPerformance>;
  /** Counts as merged, noisy cells clamped at 0: matrix[true][predicted]. */
  confusion: { classes: string[]; matrix: number[][] };
  calibration: {
    ece: number | null;
    total: number;
    bins: { count: number; correct: number; accuracy: number | null; confidence: number }[];
  } | null;
  /** Private mode: error bar of `labelled`, the sum of every confusion cell. */
  labelledError?: ErrorBar;
  /** Private mode: error bar of a class's `support` or `predicted`, each the sum of k cells. */
  classError?: ErrorBar;
}

export type AlertState = 'pending' | 'firing' | 'no_data' | 'resolved';

/** One of an incident's signals: an alert read as what an on-call engineer needs first. */
export interface Signal {
  alert: number;
  rule: string;
  severity: 'page' | 'ticket';
  owner: string;
  state: AlertState;
  column: string | null;
  output: string | null;
  /** An SLO's burn-rate signal: the SLO's name. */
  slo: string | null;
  segment: Record<string, string> | null;
  /** The statistic compared: the rule's metric, or the drift verdict's test. */
  statistic: string;
  value: number | null;
  op: string | null;
  threshold: number | null;
  firedAt: number | null;
  resolvedAt: number | null;
  /** The rolling window the signal was last measured over. */
  window: { name: string; from: number; to: number } | null;
  link: string | null;
}

/** GET /v1/incidents(/:id): alerts of one model version that started together. */
export interface Incident {
  id: number;
  model: string;
  version: string;
  state: 'open' | 'acknowledged' | 'resolved';
  severity: 'page' | 'ticket';
  openedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** An acknowledgement with an expiry: the incident is open again (and notified) after it. */
  acknowledgedUntil: number | null;
  silencedUntil: number | null;
  snoozedUntil: number | null;
  resolvedAt: number | null;
  decision: string | null;
  /** Columns (or outputs) among its signals, and the segments they were raised on. */
  columns: string[];
  segments: Record<string, string>[];
  signals: Signal[];
}

export interface TimelineEntry {
  at: number;
  kind: string;
  actor: string | null;
  note: string | null;
}

export type IncidentFilter = 'active' | 'open' | 'acknowledged' | 'snoozed' | 'resolved' | 'all';
