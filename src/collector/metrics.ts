// The collector's own Prometheus metrics (ingest rate, rejects by reason, in-flight requests,
// database latency). Per-model metrics come from model-metrics.ts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelMetrics } from './model-metrics.ts';

export class CollectorMetrics {
  readonly registry = new Registry();
  /** The per-model series /metrics appends to the registry's (model-metrics.ts). */
  models?: ModelMetrics;
  readonly ingested = new Counter({
    name: 'edgewatch_ingest_uploads_total',
    help: 'Uploads acknowledged, by result (accepted or duplicate).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly droppedWindows = new Counter({
    name: 'edgewatch_device_dropped_windows_total',
    help: 'Windows devices dropped from a full outbox before they could upload them, as their next upload reports.',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'edgewatch_ingest_rejects_total',
    help: 'Uploads refused, by reason.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: 'edgewatch_ingest_duration_seconds',
    help: 'Time from request to acknowledgement of an upload.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'edgewatch_ingest_in_flight',
    help: 'Uploads being processed right now (the ingest queue depth).',
    registers: [this.registry],
  });
  readonly dbSeconds = new Histogram({
    name: 'edgewatch_db_query_duration_seconds',
    help: 'Database statement latency.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly quarantined = new Counter({
    name: 'edgewatch_quarantined_total',
    help: 'Stored pieces moved to quarantine because they no longer decode, by source table.',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly rollupFailures = new Counter({
    name: 'edgewatch_rollup_failures_total',
    help: 'Rollup keys (model version, segment, period) that failed and were skipped until the next round, by level.',
    labelNames: ['level'],
    registers: [this.registry],
  });
  readonly evaluationDuration = new Histogram({
    name: 'edgewatch_evaluation_duration_seconds',
    help: 'How long one evaluation of every model version (an alert round, the state /metrics reports) took.',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly evaluationFailures = new Counter({
    name: 'edgewatch_evaluation_failures_total',
    help: 'Model versions whose evaluation (metrics, alerts) failed and was skipped in that round.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'edgewatch_process_' });
  }
}
