// The collector's read API, declared once: the JSON Schema of every answer the dashboard, the CLI
// and any other client read, and the TypeScript types derived from those schemas (FromSchema).
// The collector's routes serialize their answers with these schemas, so a handler cannot add a
// field the schema lacks (test/collector/read-api-contract.test.ts fails on it) nor drop a
// required one (the serializer refuses it); `edgewatch/read-api`, plain data and types only.
//
// Column summaries and drift results are the core's own shapes, typed in ./types.ts and passed
// through the collector untouched: their schemas name them (`title`) and let every field through
// rather than restating the core's types as schemas a second time, which the core's tests would
// then have to keep in step with the engine.
import type { FromSchema } from './json-schema.ts';
import type { ColumnDrift, ColumnSummary } from './types.ts';

/** The quantiles every numeric summary of a step carries: the ones the drift comparison reports. */
export const STEP_QUANTILES = ['0.5', '0.9', '0.99'] as const;

/** A column of one step of GET …/summaries: the core's merged summary, with the step's quantiles. */
export type StepColumn = ColumnSummary & {
  /** Numeric and grid columns: the core's quantile of the step's finite values; null without any. */
  quantiles?: Record<(typeof STEP_QUANTILES)[number], number | null>;
};

/** The shapes the core types itself, by the `title` their schemas carry. */
interface CoreShapes {
  ColumnSummary: ColumnSummary;
  ColumnDrift: ColumnDrift;
  StepColumn: StepColumn;
}

/** The type of the values a schema of this module accepts. */
export type Of<S> = FromSchema<S, CoreShapes>;

// ---- pieces -----------------------------------------------------------------------------------

const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const intOrNull = { type: ['integer', 'null'] } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const strings = { type: 'array', items: str } as const;
const stringMap = { type: 'object', additionalProperties: str } as const;
const segmentOrNull = { type: ['object', 'null'], additionalProperties: str } as const;

const columnSummary = { title: 'ColumnSummary', type: 'object', additionalProperties: true } as const;
const columnDrift = { title: 'ColumnDrift', type: 'object', additionalProperties: true } as const;
const columnDriftOrNull = { title: 'ColumnDrift', type: ['object', 'null'], additionalProperties: true } as const;
const stepColumn = { title: 'StepColumn', type: 'object', additionalProperties: true } as const;

/** A noisy count's error bar (the core's noiseErrorBar): σ and the 95% half-width 1.96·σ. */
export const errorBarSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sd', 'halfWidth95'],
  properties: { sd: num, halfWidth95: num },
} as const;

/** What every merged read reports, suppressed or not. */
const countProperties = { devices: int, uploads: int, rows: num } as const;
const rangeHead = { from: int, to: int, k: int, suppressed: bool, ...countProperties } as const;
// A suppressed answer carries no counts (a count of 1 would say one device was there), except
// zeros when its range holds no upload at all: devices, uploads and rows are not required.
const rangeHeadRequired = ['from', 'to', 'k', 'suppressed'] as const;

/** A timeline's answer (the collector's read/steps.ts): k, the step, and per step its counts plus `fields` (absent when suppressed). */
function stepTimeline<const F extends object, const E extends object>(fields: F, extra: E) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['k', 'step', 'points', ...(Object.keys(extra) as (keyof E & string)[])],
    properties: {
      k: int,
      step: int,
      ...extra,
      points: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to', 'suppressed'],
          properties: { from: int, to: int, suppressed: bool, ...countProperties, ...fields },
        },
      },
    },
  } as const;
}

// ---- models, profiles, drift, summaries, segments ---------------------------------------------

/** GET /v1/models: every model version with freshness and devices (null below k devices). */
export const modelsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['k', 'models'],
  properties: {
    k: int,
    models: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['model', 'version', 'columns', 'baseline', 'devices', 'lastUploadAt', 'firstWindowAt'],
        properties: {
          model: str,
          version: str,
          /** Column name → kind ('numeric' | 'grid' | 'categorical'). */
          columns: stringMap,
          baseline: bool,
          devices: intOrNull,
          lastUploadAt: intOrNull,
          /** Start of the version's earliest window (ms): when it began reporting. */
          firstWindowAt: intOrNull,
        },
      },
    },
  },
} as const;
export type ModelsResponse = Of<typeof modelsSchema>;
export type ModelVersion = ModelsResponse['models'][number];

/** GET …/profile: merged column summaries of a range, with the baseline's. */
export const profileSchema = {
  type: 'object',
  additionalProperties: false,
  required: rangeHeadRequired,
  properties: {
    ...rangeHead,
    layouts: int,
    columns: { type: 'object', additionalProperties: columnSummary },
    baseline: { type: ['object', 'null'], additionalProperties: columnSummary },
    /** Present when private-mode (noisy) uploads are merged in: how many, and their noise scales. */
    privacy: {
      type: 'object',
      additionalProperties: false,
      required: ['noisyUploads', 'noiseScales', 'cellError'],
      properties: {
        noisyUploads: int,
        noiseScales: { type: 'object', additionalProperties: int },
        cellError: errorBarSchema,
      },
    },
  },
} as const;
export type ProfileResponse = Of<typeof profileSchema>;

const schemaChangesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['missing', 'changed'],
  properties: {
    missing: strings,
    changed: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'baseline', 'current'],
        properties: { name: str, baseline: str, current: str },
      },
    },
  },
} as const;

/** GET …/drift: the core's compare of each step with the baseline. */
export const driftSchema = stepTimeline(
  {
    /** Dataset-level verdict: how many compared columns the core marked drifted. */
    driftedColumns: int,
    comparedColumns: int,
    columns: { type: 'object', additionalProperties: columnDrift },
    /**
     * Schema changes against the baseline: its columns the step lacks, and columns of another
     * kind (columns only in the step are not listed: windows hold runtime columns baselines lack).
     */
    schema: schemaChangesSchema,
  },
  {},
);
export type SchemaChanges = Of<typeof schemaChangesSchema>;
export type DriftResponse = Of<typeof driftSchema>;
export type DriftPoint = DriftResponse['points'][number];

/** GET …/summaries: chosen columns per step, no baseline needed. */
export const summariesSchema = stepTimeline(
  { columns: { type: 'object', additionalProperties: stepColumn } },
  { quantiles: { type: 'array', items: { type: 'string', enum: STEP_QUANTILES } } },
);
export type SummariesResponse = Of<typeof summariesSchema>;
export type SummaryPoint = SummariesResponse['points'][number];

/** GET …/segments: segments of at least k devices in a range, with their freshness. */
export const segmentsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['k', 'segments'],
  properties: {
    k: int,
    segments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['segment', 'devices', 'uploads', 'rows', 'lastUploadAt'],
        properties: { segment: stringMap, ...countProperties, lastUploadAt: int },
      },
    },
  },
} as const;
export type SegmentsResponse = Of<typeof segmentsSchema>;
export type Segment = SegmentsResponse['segments'][number];

/** One segment ranked by what it contributes to a column's drift or an output's accuracy drop. */
export const rankedSegmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['segment', 'devices', 'rows', 'drift', 'driftContribution', 'accuracy', 'labelled', 'accuracyContribution'],
  properties: {
    /** The segment as uploaded, or `{[by]: value}` when grouped by one key. */
    segment: stringMap,
    devices: int,
    rows: num,
    /** The segment's own drift of the column (the core's compare with the baseline). */
    drift: columnDriftOrNull,
    /** js(all) − js(all but this segment); null when the rest has fewer than k devices. */
    driftContribution: numOrNull,
    /** The segment's accuracy (labelled rows of the output), and accuracy(rest) − accuracy(all). */
    accuracy: numOrNull,
    labelled: numOrNull,
    accuracyContribution: numOrNull,
  },
} as const;
export type RankedSegment = Of<typeof rankedSegmentSchema>;

/** GET …/segments/ranking. */
export const segmentRankingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['column', 'output', 'k', 'all', 'segments'],
  properties: {
    column: strOrNull,
    output: strOrNull,
    k: int,
    all: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['devices', 'rows', 'drift', 'accuracy', 'labelled'],
      properties: { devices: int, rows: num, drift: columnDriftOrNull, accuracy: numOrNull, labelled: numOrNull },
    },
    /** By drift contribution (highest first), else by accuracy contribution. */
    segments: { type: 'array', items: rankedSegmentSchema },
  },
} as const;
export type SegmentRankingResponse = Of<typeof segmentRankingSchema>;

// ---- baselines and the private mode's grid ---------------------------------------------------

/** PUT …/baseline: the baseline's columns. */
export const baselineSetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'columns'],
  properties: { ok: { const: true }, columns: strings },
} as const;
export type BaselineSet = Of<typeof baselineSetSchema>;

/** POST …/baseline/pin: the baseline's columns, and the devices and rows of the range pinned. */
export const baselinePinnedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'columns', 'devices', 'rows'],
  properties: { ok: { const: true }, columns: strings, devices: int, rows: num },
} as const;

/** A private-mode column's grid: the baseline's percentile edges, or its values as a vocabulary. */
export const gridColumnSchema = {
  anyOf: [
    { type: 'object', additionalProperties: false, required: ['edges'], properties: { edges: { type: 'array', items: num } } },
    { type: 'object', additionalProperties: false, required: ['vocabulary'], properties: { vocabulary: strings } },
  ],
} as const;
export type GridColumn = Of<typeof gridColumnSchema>;

/** GET …/grid (and /v1/grid/:model/:version, the edge runtime's path): what private-mode devices record on. */
export const gridSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'version', 'columns'],
  properties: { model: str, version: str, columns: { type: 'object', additionalProperties: gridColumnSchema } },
} as const;

// ---- performance ------------------------------------------------------------------------------

export const classPerformanceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['precision', 'recall', 'support', 'predicted', 'auc'],
  properties: {
    precision: numOrNull,
    recall: numOrNull,
    support: num,
    predicted: num,
    /** One-vs-rest ROC AUC from the class's score grids; null without them or without both sides. */
    auc: numOrNull,
  },
} as const;
export type ClassPerformance = Of<typeof classPerformanceSchema>;

/** One classifier output's performance on its labelled rows. */
export const outputPerformanceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['labelled', 'accuracy', 'classes', 'confusion', 'calibration'],
  properties: {
    labelled: num,
    accuracy: numOrNull,
    classes: { type: 'object', additionalProperties: classPerformanceSchema },
    /** Counts as merged, noisy cells clamped at 0: matrix[true][predicted]. */
    confusion: {
      type: 'object',
      additionalProperties: false,
      required: ['classes', 'matrix'],
      properties: { classes: strings, matrix: { type: 'array', items: { type: 'array', items: num } } },
    },
    calibration: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['ece', 'total', 'bins'],
      properties: {
        ece: numOrNull,
        total: num,
        bins: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['count', 'correct', 'accuracy', 'confidence'],
            properties: { count: num, correct: num, accuracy: numOrNull, confidence: num },
          },
        },
      },
    },
    /** Private mode: error bar of `labelled`, the sum of every confusion cell. */
    labelledError: errorBarSchema,
    /** Private mode: error bar of a class's `support` or `predicted`, each the sum of k cells. */
    classError: errorBarSchema,
  },
} as const;
export type OutputPerformance = Of<typeof outputPerformanceSchema>;

/** GET …/performance: accuracy, precision/recall, ROC AUC and calibration per output. */
export const performanceSchema = {
  type: 'object',
  additionalProperties: false,
  required: rangeHeadRequired,
  properties: {
    ...rangeHead,
    layouts: int,
    outputs: { type: 'object', additionalProperties: outputPerformanceSchema },
    /** Private mode: the error bar of one count cell. */
    cellError: errorBarSchema,
  },
} as const;
export type PerformanceResponse = Of<typeof performanceSchema>;

// ---- alerts and rules -------------------------------------------------------------------------

export const ALERT_STATES = ['pending', 'firing', 'no_data', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
const severity = { type: 'string', enum: ['page', 'ticket'] } as const;
const evalWindow = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'from', 'to'],
  properties: { name: str, from: int, to: int },
} as const;

/**
 * What an alert carries (the collector's alerts/series.ts and evaluate.ts): the fields every
 * metric fills, and whatever else its series adds (a drift verdict, quantiles, a baseline).
 */
export const alertEvidenceSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    project: str,
    model: str,
    version: str,
    column: strOrNull,
    segment: segmentOrNull,
    /** The rolling window the rule was evaluated over: its name (`1h`, `24h`) and bounds. */
    window: evalWindow,
    statistic: str,
    value: num,
    op: str,
    threshold: num,
    severity: str,
    owner: str,
    rule: str,
    link: strOrNull,
    test: str,
    /** A drift rule's: the core's verdict on the column. */
    verdict: {
      type: 'object',
      additionalProperties: false,
      required: ['drifted', 'test', 'value', 'threshold'],
      /** `uncertain`: the sketch's bound on the statistic straddles the threshold. */
      properties: { drifted: bool, test: str, value: num, threshold: num, uncertain: bool },
    },
    /** A quantile rule's: per quantile, the baseline's and the window's value. */
    quantiles: { type: 'object', additionalProperties: { type: 'array', items: num } },
    current: { type: 'object', additionalProperties: num },
    baseline: num,
  },
} as const;
export type AlertEvidence = Of<typeof alertEvidenceSchema>;

/** GET /v1/alerts: newest first. */
export const alertsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['alerts'],
  properties: {
    alerts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'rule',
          'series',
          'state',
          'severity',
          'owner',
          'value',
          'startedAt',
          'firedAt',
          'resolvedAt',
          'incidentId',
          'evidence',
        ],
        properties: {
          id: int,
          rule: str,
          series: str,
          state: { type: 'string', enum: ALERT_STATES },
          severity,
          owner: str,
          value: numOrNull,
          startedAt: int,
          firedAt: intOrNull,
          resolvedAt: intOrNull,
          incidentId: intOrNull,
          evidence: alertEvidenceSchema,
        },
      },
    },
  },
} as const;
export type AlertsResponse = Of<typeof alertsSchema>;
export type Alert = AlertsResponse['alerts'][number];

/** A stored alert rule (what the collector's alerts/rules.ts validates on the way in). */
export const alertRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'metric', 'model', 'version', 'column', 'bySegment', 'window', 'op', 'threshold', 'for', 'severity', 'owner'],
  properties: {
    id: int,
    name: str,
    metric: str,
    /** Filters; null: every model / version / column. */
    model: strOrNull,
    version: strOrNull,
    column: strOrNull,
    /** Evaluated per k-anonymous segment rather than over the whole version. */
    bySegment: bool,
    /** The rolling window the rule observes, one of the collector's --eval-windows. */
    window: str,
    op: { type: 'string', enum: ['>', '>=', '<', '<='] },
    threshold: num,
    /** Consecutive evaluations the condition must hold. */
    for: int,
    severity,
    owner: str,
    webhookUrl: strOrNull,
    webhookFormat: { type: 'string', enum: ['json', 'slack'] },
    /** What the rule's series do when their window holds no upload. */
    noData: { type: 'string', enum: ['resolve', 'keep', 'alert'] },
  },
} as const;
export type AlertRule = Of<typeof alertRuleSchema>;

/** GET /v1/alerts/rules, and the answer of installing the default rules. */
export const rulesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: { rules: { type: 'array', items: alertRuleSchema } },
} as const;
export type RulesResponse = Of<typeof rulesSchema>;

/** PUT /v1/alerts/rules/:name: the rule's id. */
export const ruleSavedSchema = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: int } } as const;

/** The answer of a write that has nothing else to say (DELETE, PUT of an SLO). */
export const okSchema = { type: 'object', additionalProperties: false, required: ['ok'], properties: { ok: { const: true } } } as const;

// ---- SLOs -------------------------------------------------------------------------------------

const eventsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['good', 'total', 'errorRatio', 'burnRate'],
  properties: { good: num, total: num, errorRatio: num, burnRate: num },
} as const;
export type Events = Of<typeof eventsSchema>;
const events = { ...eventsSchema, type: ['object', 'null'] } as const;

/** Where an SLO stands for one model version now (the collector's slo/status.ts). */
export const sloStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['slo', 'indicator', 'objective', 'threshold', 'period', 'owner', 'windows', 'budgetRemaining', 'burn'],
  properties: {
    slo: str,
    indicator: str,
    objective: num,
    threshold: numOrNull,
    period: str,
    owner: str,
    /** Per burn-rate window ("5m" … "3d") and the period: null without k devices or events. */
    windows: { type: 'object', additionalProperties: events },
    /** Share of the period's error budget left (1: untouched, 0: spent, below 0: overspent). */
    budgetRemaining: numOrNull,
    /** Per alert pair "1h/5m": the lower of the two windows' burn rates (both must exceed). */
    burn: { type: 'object', additionalProperties: numOrNull },
  },
} as const;
export type SloStatus = Of<typeof sloStatusSchema>;

/** GET /v1/slos: each SLO's definition and its status per model version it covers. */
export const slosSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['slos'],
  properties: {
    slos: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'model', 'version', 'indicator', 'threshold', 'objective', 'period', 'owner', 'versions'],
        properties: {
          name: str,
          model: str,
          /** Null: every version of the model, each with its own budget. */
          version: strOrNull,
          indicator: { type: 'string', enum: ['latency', 'failure_rate', 'accuracy', 'calibration', 'drift_free'] },
          threshold: numOrNull,
          objective: num,
          period: str,
          owner: str,
          webhookUrl: strOrNull,
          webhookFormat: { type: 'string', enum: ['json', 'slack'] },
          versions: {
            type: 'array',
            items: {
              ...sloStatusSchema,
              required: ['version', ...sloStatusSchema.required],
              properties: { version: str, ...sloStatusSchema.properties },
            },
          },
        },
      },
    },
  },
} as const;
export type SlosResponse = Of<typeof slosSchema>;
export type SloView = SlosResponse['slos'][number];

// ---- incidents --------------------------------------------------------------------------------

/** One of an incident's signals: an alert read as what an on-call engineer needs first. */
export const signalSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'alert',
    'rule',
    'severity',
    'owner',
    'state',
    'column',
    'output',
    'slo',
    'segment',
    'statistic',
    'value',
    'op',
    'threshold',
    'firedAt',
    'resolvedAt',
    'window',
    'link',
  ],
  properties: {
    alert: int,
    rule: str,
    severity,
    owner: str,
    state: { type: 'string', enum: ALERT_STATES },
    column: strOrNull,
    output: strOrNull,
    /** An SLO's burn-rate signal: the SLO's name. */
    slo: strOrNull,
    segment: segmentOrNull,
    /** The statistic compared: the rule's metric, or the drift verdict's test. */
    statistic: str,
    value: numOrNull,
    op: strOrNull,
    threshold: numOrNull,
    firedAt: intOrNull,
    resolvedAt: intOrNull,
    /** The rolling window the signal was last measured over. */
    window: { ...evalWindow, type: ['object', 'null'] },
    link: strOrNull,
  },
} as const;
export type Signal = Of<typeof signalSchema>;

/** Alerts of one model version that started together. */
export const incidentSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'model',
    'version',
    'state',
    'severity',
    'openedAt',
    'updatedAt',
    'acknowledgedAt',
    'acknowledgedBy',
    'acknowledgedUntil',
    'silencedUntil',
    'snoozedUntil',
    'resolvedAt',
    'decision',
    'columns',
    'segments',
    'signals',
  ],
  properties: {
    id: int,
    model: str,
    version: str,
    state: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] },
    severity,
    openedAt: int,
    updatedAt: int,
    acknowledgedAt: intOrNull,
    acknowledgedBy: strOrNull,
    /** An acknowledgement with an expiry: the incident is open again (and notified) after it. */
    acknowledgedUntil: intOrNull,
    silencedUntil: intOrNull,
    snoozedUntil: intOrNull,
    resolvedAt: intOrNull,
    decision: strOrNull,
    /** Columns (or outputs) among its signals, and the segments they were raised on. */
    columns: strings,
    segments: { type: 'array', items: stringMap },
    signals: { type: 'array', items: signalSchema },
  },
} as const;
export type Incident = Of<typeof incidentSchema>;

export const timelineEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['at', 'kind', 'actor', 'note'],
  properties: { at: int, kind: str, actor: strOrNull, note: strOrNull },
} as const;
export type TimelineEntry = Of<typeof timelineEntrySchema>;

/** POST /v1/incidents/:id/<action>. */
export const INCIDENT_ACTIONS = ['acknowledge', 'silence', 'snooze', 'decide'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

export const INCIDENT_FILTERS = ['active', 'open', 'acknowledged', 'snoozed', 'resolved', 'all'] as const;
export type IncidentFilter = (typeof INCIDENT_FILTERS)[number];

/** GET /v1/incidents. */
export const incidentsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['incidents'],
  properties: { incidents: { type: 'array', items: incidentSchema } },
} as const;
export type IncidentsResponse = Of<typeof incidentsSchema>;

const incidentWithTimeline = {
  incident: incidentSchema,
  timeline: { type: 'array', items: timelineEntrySchema },
} as const;

/** POST /v1/incidents/:id/(acknowledge|silence|snooze|decide): the incident as it now stands. */
export const incidentActedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['incident', 'timeline'],
  properties: incidentWithTimeline,
} as const;
export type IncidentActed = Of<typeof incidentActedSchema>;

/** GET /v1/incidents/:id: with, per column of its signals, the segments ranked by contribution. */
export const incidentDetailSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['incident', 'timeline', 'segmentRanking'],
  properties: {
    ...incidentWithTimeline,
    segmentRanking: { type: 'object', additionalProperties: { type: 'array', items: rankedSegmentSchema } },
  },
} as const;
export type IncidentDetail = Of<typeof incidentDetailSchema>;

// ---- canary -----------------------------------------------------------------------------------

/** Inference health of a merged aggregate (the collector's read/health.ts). */
export const healthStateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['calls', 'failures', 'byKind', 'failureRate'],
  properties: {
    /** Calls seen: every latency value, plus the failures recorded without one. */
    calls: num,
    failures: num,
    /** Failed calls by kind (`input`, `inference`, `output`, `recording`). */
    byKind: { type: 'object', additionalProperties: num },
    /** failures / calls; null without calls. */
    failureRate: numOrNull,
  },
} as const;
export type HealthState = Of<typeof healthStateSchema>;

/** Per model output of a merged aggregate: confidence and, with feedback, how right it is. */
export const outputStateSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Median of `<out>.confidence`; absent without that column or without values in it. */
    confidenceMedian: num,
    /** With feedback columns: labelled rows behind the figures below. */
    labelled: num,
    accuracy: numOrNull,
    /** Expected calibration error; null without calibration columns or labelled rows. */
    ece: numOrNull,
    /** One-vs-rest ROC AUC per class; null where not defined. */
    auc: { type: 'object', additionalProperties: numOrNull },
  },
} as const;
export type OutputState = Of<typeof outputStateSchema>;

const versionSide = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'suppressed'],
  properties: {
    version: str,
    ...countProperties,
    suppressed: bool,
    health: healthStateSchema,
    latency: {
      type: 'object',
      additionalProperties: false,
      required: STEP_QUANTILES,
      properties: { '0.5': num, '0.9': num, '0.99': num },
    },
    outputs: { type: 'object', additionalProperties: outputStateSchema },
  },
} as const;
export type VersionSide = Of<typeof versionSide>;

/** GET …/canary: this version against another over one range, and the verdict. */
export const canarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'from', 'to', 'segment', 'k', 'canary', 'stable', 'verdict', 'reasons'],
  properties: {
    model: str,
    from: int,
    to: int,
    segment: segmentOrNull,
    k: int,
    canary: versionSide,
    stable: versionSide,
    verdict: { type: 'string', enum: ['promote', 'hold', 'rollback'] },
    /** One line per reason behind the verdict, the decisive ones first. */
    reasons: strings,
    /** Per column: the core's compare with the stable version in the baseline's place. */
    columns: { type: 'object', additionalProperties: columnDrift },
    /** Drifted columns by group: inputs (features) and predictions (the outputs' columns). */
    driftedInputs: strings,
    driftedPredictions: strings,
  },
} as const;
export type CanaryReport = Of<typeof canarySchema>;

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
const metadataText = { type: ['string', 'null'], minLength: 1, maxLength: 512 } as const;
/** GET and PUT …/metadata: what a version is, beyond its columns (every field null when unset). */
export const versionMetadataSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    owner: metadataText,
    criticality: { type: ['string', 'null'], enum: [...CRITICALITIES, null] },
    trainingSnapshot: metadataText,
    schemaVersion: metadataText,
    rollbackTarget: { type: ['string', 'null'], minLength: 1, maxLength: 128 },
  },
} as const;
export type VersionMetadata = Of<typeof versionMetadataSchema>;

/** PUT …/canary/watch. */
export const canaryWatchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'against', 'window'],
  properties: { ok: { const: true }, against: str, window: str },
} as const;
