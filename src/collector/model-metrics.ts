// Per-model Prometheus metrics, from the rolling-window snapshot a scrape reads (the latest alert
// round's, see server.ts), set and formatted once per snapshot (ModelMetrics).
// Ratios such as the missing rate are left to PromQL: the collector exports counts.
// Every series carries `segment`: "" for all of a version's traffic, else the segment's canonical
// JSON. A segment's figures are part of the version's, so sums over versions select segment="".
// Every series of a rolling window also carries `window` ("1h", "24h": see eval-windows.ts); a
// 1 h window's figures are part of the 24 h one's, so queries select one window. Freshness is
// the same in every window and carries none.
import { Gauge, Registry } from 'prom-client';
import { canonicalSegment } from './read/segments.ts';
import type { VersionState } from './read/snapshot.ts';
import type { Queryable } from './storage/db.ts';
import { exposition } from './exposition.ts';
import { yieldToLoop } from './yield.ts';

const SLICE = 128;

const V = ['project', 'model', 'version', 'segment'];
const W = [...V, 'window'];
const C = [...W, 'column'];
const O = [...W, 'output'];

export function gaugesIn(registry: Registry) {
  return {
    devices: new Gauge({
      name: 'edgewatch_model_devices',
      help: 'Distinct devices reporting in the rolling window (label window) (k-anonymous).',
      labelNames: W,
      registers: [registry],
    }),
    rows: new Gauge({
      name: 'edgewatch_model_rows',
      help: 'Rows recorded in the rolling window (label window).',
      labelNames: W,
      registers: [registry],
    }),
    uploads: new Gauge({
      name: 'edgewatch_model_uploads',
      help: 'Uploads in the rolling window (label window).',
      labelNames: W,
      registers: [registry],
    }),
    freshness: new Gauge({
      name: 'edgewatch_model_freshness_seconds',
      help: 'Seconds since the last upload of the model version (or segment).',
      labelNames: V,
      registers: [registry],
    }),
    values: new Gauge({
      name: 'edgewatch_column_values',
      help: 'Column cells in the rolling window (label window), by state (count includes missing).',
      labelNames: [...C, 'state'],
      registers: [registry],
    }),
    quantile: new Gauge({
      name: 'edgewatch_column_quantile',
      help: 'Quantiles of a numeric column in the rolling window (label window) (latency included).',
      labelNames: [...C, 'quantile'],
      registers: [registry],
    }),
    drift: new Gauge({
      name: 'edgewatch_column_drift',
      help: 'Drift statistics of the rolling window against the baseline (the core compare).',
      labelNames: [...C, 'statistic'],
      registers: [registry],
    }),
    drifted: new Gauge({
      name: 'edgewatch_column_drifted',
      help: '1 when the core marks the column drifted in the rolling window.',
      labelNames: C,
      registers: [registry],
    }),
    quality: new Gauge({
      name: 'edgewatch_column_quality',
      help: 'Data-quality check values of the rolling window against the baseline (label check; the core compare).',
      labelNames: [...C, 'check'],
      registers: [registry],
    }),
    qualityFlagged: new Gauge({
      name: 'edgewatch_column_quality_flagged',
      help: '1 when any data-quality check of the column fires in the rolling window.',
      labelNames: C,
      registers: [registry],
    }),
    schema: new Gauge({
      name: 'edgewatch_model_schema_changes',
      help: 'Schema changes of the rolling window against the baseline, by change (missing: baseline columns the window lacks; changed: another kind).',
      labelNames: [...W, 'change'],
      registers: [registry],
    }),
    calls: new Gauge({
      name: 'edgewatch_model_calls',
      help: 'Inference calls in the rolling window (label window) (timed calls plus recording failures).',
      labelNames: W,
      registers: [registry],
    }),
    failed: new Gauge({
      name: 'edgewatch_model_failed_calls',
      help: 'Failed inference calls in the rolling window (label window) (all kinds).',
      labelNames: W,
      registers: [registry],
    }),
    failedByKind: new Gauge({
      name: 'edgewatch_model_failed_calls_by_kind',
      help: 'Failed inference calls in the rolling window (label window), by kind.',
      labelNames: [...W, 'kind'],
      registers: [registry],
    }),
    confidence: new Gauge({
      name: 'edgewatch_output_confidence_median',
      help: "Median of a classifier output's confidence (top score) in the rolling window (label window).",
      labelNames: O,
      registers: [registry],
    }),
    labelled: new Gauge({
      name: 'edgewatch_output_labelled',
      help: 'Labelled rows (feedback) of an output in the rolling window (label window).',
      labelNames: O,
      registers: [registry],
    }),
    accuracy: new Gauge({
      name: 'edgewatch_output_accuracy',
      help: 'Accuracy of an output on its labelled rows in the rolling window.',
      labelNames: O,
      registers: [registry],
    }),
    ece: new Gauge({
      name: 'edgewatch_output_ece',
      help: 'Expected calibration error of an output on its labelled rows in the rolling window.',
      labelNames: O,
      registers: [registry],
    }),
    sloEvents: new Gauge({
      name: 'edgewatch_slo_events',
      help: "An SLO's good and total events (label kind) over one of its windows (label window: 5m … 3d, and its period), for PromQL's burn rates.",
      labelNames: ['project', 'model', 'version', 'slo', 'window', 'kind'],
      registers: [registry],
    }),
    sloObjective: new Gauge({
      name: 'edgewatch_slo_objective',
      help: "An SLO's objective (share of good events), e.g. 0.99: its error budget is 1 minus this; label indicator: what it measures.",
      labelNames: ['project', 'model', 'version', 'slo', 'indicator'],
      registers: [registry],
    }),
    auc: new Gauge({
      name: 'edgewatch_output_auc',
      help: 'One-vs-rest ROC AUC of a class of an output, from its labelled rows in the rolling window.',
      labelNames: [...O, 'class'],
      registers: [registry],
    }),
  };
}

/**
 * The per-model series, in a registry of their own so that a wide version's tens of thousands of
 * series are set and formatted once per snapshot, in slices, instead of on every scrape in one
 * go: with an alert round's states serving every scrape until the next round ends, doing both
 * per scrape held the request thread for about 100 ms each time.
 */
export class ModelMetrics {
  readonly #registry = new Registry();
  readonly #gauges = gaugesIn(this.#registry);
  /** The snapshot the gauges hold, and its text with and without per-segment series. */
  #states: VersionState[] | undefined;
  readonly #texts = new Map<boolean, string>();
  /** Scrapes take turns: one fills the gauges while the others wait for its text. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly read: () => Promise<VersionState[]>) {}

  /** The exposition text of every model series; `segments` false leaves per-segment series out. */
  text(segments: boolean): Promise<string> {
    const next = this.#turn.then(() => this.#text(segments));
    this.#turn = next.catch(() => {});
    return next;
  }

  async #text(segments: boolean): Promise<string> {
    const states = await this.read();
    if (states !== this.#states) {
      this.#states = undefined;
      this.#texts.clear();
      for (const g of Object.values(this.#gauges)) g.reset();
      for (const s of states) await setAll(this.#gauges, s);
      this.#states = states;
    }
    let text = this.#texts.get(segments);
    if (text === undefined) {
      const parts: string[] = [];
      for (const m of Object.values(this.#gauges)) {
        parts.push(await exposition(m, segments ? undefined : wholeVersion));
        await yieldToLoop();
      }
      text = `${parts.join('\n\n')}\n`;
      this.#texts.set(segments, text);
    }
    return text;
  }
}

// A sample of one segment: its `segment` label holds JSON (quotes escaped), never "".
const SEGMENT_SAMPLE = /[{,]segment="[^"]/;

/**
 * Without a metrics token anyone who reaches /metrics reads it, so it carries only the series of
 * whole model versions: a segment (one region, one app version) can be as small as k devices.
 */
export function withoutSegments(text: string): string {
  return text.split('\n').filter(wholeVersion).join('\n');
}

const wholeVersion = (line: string) => line.startsWith('#') || !SEGMENT_SAMPLE.test(line);

/** Sets the state's series, giving the event loop back every SLICE columns (a wide version has thousands). */
async function setAll(g: Record<string, Gauge>, s: VersionState) {
  const version = { project: s.project, model: s.model, version: s.version, segment: s.segment ? canonicalSegment(s.segment) : '' };
  // Set once per window, always to the same value.
  if (s.freshnessSeconds !== null) g.freshness.set(version, s.freshnessSeconds);
  for (const [slo, st] of Object.entries(s.slos ?? {})) {
    const l = { project: s.project, model: s.model, version: s.version, slo };
    g.sloObjective.set({ ...l, indicator: st.indicator }, st.objective);
    for (const [window, e] of Object.entries(st.windows)) {
      if (!e) continue;
      g.sloEvents.set({ ...l, window, kind: 'good' }, e.good);
      g.sloEvents.set({ ...l, window, kind: 'total' }, e.total);
    }
  }
  if (!s.visible) return;
  const v = { ...version, window: s.window };
  g.devices.set(v, s.devices!);
  g.rows.set(v, s.rows!);
  g.uploads.set(v, s.uploads!);
  let n = 0;
  for (const [column, c] of Object.entries(s.columns ?? {})) {
    if (++n % SLICE === 0) await yieldToLoop();
    const l = { ...v, column };
    g.values.set({ ...l, state: 'count' }, c.count);
    g.values.set({ ...l, state: 'missing' }, c.missing);
    g.values.set({ ...l, state: 'nan' }, c.nan);
    for (const [quantile, value] of Object.entries(c.quantiles ?? {}))
      if (Number.isFinite(value)) g.quantile.set({ ...l, quantile }, value);
  }
  for (const [column, d] of Object.entries(s.drift ?? {})) {
    if (++n % SLICE === 0) await yieldToLoop();
    const l = { ...v, column };
    const stats: Record<string, number> =
      d.kind === 'numeric'
        ? { ks_statistic: d.ks.statistic, ks_pvalue: d.ks.pvalue, wasserstein: d.wasserstein, psi: d.psi, js: d.js, hellinger: d.hellinger }
        : { chi2_statistic: d.chi2.statistic, chi2_pvalue: d.chi2.pvalue, linf: d.linf, js: d.js, psi: d.psi };
    stats[`verdict_${d.drifted.test}`] = d.drifted.value;
    for (const [statistic, value] of Object.entries(stats)) if (Number.isFinite(value)) g.drift.set({ ...l, statistic }, value);
    g.drifted.set(l, d.drifted.drifted ? 1 : 0);
    for (const q of d.quality.checks) if (Number.isFinite(q.value)) g.quality.set({ ...l, check: q.name }, q.value);
    g.qualityFlagged.set(l, d.quality.flagged ? 1 : 0);
  }
  if (s.schema) {
    g.schema.set({ ...v, change: 'missing' }, s.schema.missing.length);
    g.schema.set({ ...v, change: 'changed' }, s.schema.changed.length);
  }
  if (s.health) {
    g.calls.set(v, s.health.calls);
    g.failed.set(v, s.health.failures);
    for (const [kind, n] of Object.entries(s.health.byKind)) g.failedByKind.set({ ...v, kind }, n);
  }
  for (const [output, o] of Object.entries(s.outputs ?? {})) {
    const l = { ...v, output };
    if (o.confidenceMedian !== undefined) g.confidence.set(l, o.confidenceMedian);
    if (o.labelled === undefined) continue;
    g.labelled.set(l, o.labelled);
    if (o.accuracy != null) g.accuracy.set(l, o.accuracy);
    if (o.ece != null) g.ece.set(l, o.ece);
    for (const [cls, auc] of Object.entries(o.auc ?? {})) if (auc !== null) g.auc.set({ ...l, class: cls }, auc);
  }
}

/** edgewatch_alerts_firing{project, severity, owner}: read from the alerts table at scrape time. */
export function registerAlertMetrics(registry: Registry, db: Queryable) {
  const firing = new Gauge({
    name: 'edgewatch_alerts_firing',
    help: 'Alerts firing now, by project, severity and owner.',
    labelNames: ['project', 'severity', 'owner'],
    registers: [registry],
    async collect() {
      const rows = await db.query<{ project: string; severity: string; owner: string; n: number }>(
        `select p.name as project, r.severity, r.owner, count(*) as n from alerts a
         join alert_rules r on r.id = a.rule_id join projects p on p.id = r.project_id
         where a.state = 'firing' group by p.name, r.severity, r.owner`,
      );
      this.reset();
      for (const r of rows) this.set({ project: r.project, severity: r.severity, owner: r.owner }, r.n);
    },
  });
  return firing;
}
