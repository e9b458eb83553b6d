// <ew-model-view>: one model version over the selected range — which columns drifted (ranked),
// the dataset-level drift over time, predictions and confidence, latency and failures, missing
// values, feedback when labels arrive, and the segments to drill into.
import { parseColumn } from 'edgewatch/columns';
import { html, nothing, type TemplateResult } from 'lit';
import type uPlot from 'uplot';
import type { CollectorClient } from '../api/client.ts';
import type { ErrorBar } from 'edgewatch';
import type {
  Alert,
  DriftResponse,
  Incident,
  ModelVersion,
  PerformanceResponse,
  ProfileResponse,
  Segment,
  StepColumn,
  SummariesResponse,
  SummaryPoint,
} from 'edgewatch/read-api';
import '../charts/ew-chart.ts';
import { COLORS, timelineOptions } from '../charts/options.ts';
import { count, num, percent, segmentLabel, timeRange } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { severityKey } from '../state/severity.ts';
import { alertsOf } from '../state/status.ts';
import { chartMarkers, type ChartMarker } from '../state/markers.ts';
import { resolveRange, stepsOf, stepWindows, wholeRange } from '../state/time-range.ts';
import { conventions, findVersion, orNoBaseline } from '../state/version.ts';
import { CollectorView } from './collector-view.ts';
import './ew-alert-list.ts';
import './ew-class-shares.ts';
import './ew-distribution.ts';
import './ew-drift-table.ts';
import './ew-performance-steps.ts';
import './ew-schema-changes.ts';
import './ew-segment-ranking.ts';
import './ew-slo-panel.ts';
import './ew-steps-table.ts';
import type { DriftRow } from './ew-drift-table.ts';
import { markerList } from './marker-list.ts';
import { shared } from './styles.ts';

interface ModelData {
  k: number;
  version: ModelVersion;
  from: number;
  to: number;
  profile: ProfileResponse;
  /** Only fetched when the version has feedback columns. */
  performance?: PerformanceResponse;
  whole?: DriftResponse;
  timeline?: DriftResponse;
  /** Predicted classes and confidence per step of the timeline (no baseline needed). */
  outputs?: SummariesResponse;
  /** Latency over the whole range, for its quantiles (no baseline needed). */
  latency?: SummariesResponse;
  alerts: Alert[];
  segments: Segment[];
  /** Incidents of this version opened in the range: marked on the drift timeline. */
  incidents: Incident[];
  /** Versions of the model that began reporting and incidents opened in the range, for the time charts. */
  markers: ChartMarker[];
  /** With feedback columns: the collector's performance of each step of the timeline. */
  performanceSteps?: PerformanceResponse[];
}

export class EwModelView extends CollectorView<ModelData> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || JSON.stringify({ ...prev, alertFilter: 0 }) !== JSON.stringify({ ...next, alertFilter: 0 });
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<ModelData> {
    if (route.view.name !== 'model') throw new Error('not a model view');
    const { model, version: ver } = route.view;
    const range = resolveRange(route.range);
    const { k, version, models } = await findVersion(client, model, ver, signal);
    const whole = wholeRange(range);
    const steps = stepsOf(route.range, range);
    const names = Object.keys(version.columns);
    const feedback = names.some(conventions.confusion);
    // The summaries route takes at most 16 columns per request, comma-separated.
    const outputs = names.filter((n) => (conventions.predicted(n) || conventions.confidence(n)) && !n.includes(',')).slice(0, 16);
    const latency = names.find(conventions.latency);
    const [profile, performance, wholeDrift, timeline, outputSteps, latencySteps, alerts, segments, incidents, performanceSteps] =
      await Promise.all([
        client.profile(model, ver, range, route.segment, signal),
        feedback ? client.performance(model, ver, range, route.segment, signal) : undefined,
        version.baseline ? orNoBaseline(client.drift(model, ver, whole.range, whole.step, route.segment, signal)) : undefined,
        version.baseline ? orNoBaseline(client.drift(model, ver, steps.range, steps.step, route.segment, signal)) : undefined,
        outputs.length ? client.summaries(model, ver, steps.range, steps.step, outputs, route.segment, signal) : undefined,
        latency ? client.summaries(model, ver, whole.range, whole.step, [latency], route.segment, signal) : undefined,
        client.alerts('open', signal),
        client.segments(model, ver, range, signal),
        client.incidents('all', signal),
        feedback ? Promise.all(stepWindows(steps).map((w) => client.performance(model, ver, w, route.segment, signal))) : undefined,
      ]);
    const mine = incidents.incidents.filter(
      (i) => i.model === model && i.version === ver && i.openedAt >= range.from && i.openedAt < range.to,
    );
    return {
      k,
      version,
      ...range,
      profile,
      performance,
      whole: wholeDrift,
      timeline,
      outputs: outputSteps,
      latency: latencySteps,
      alerts: alertsOf(alerts.alerts, model, ver),
      segments: segments.segments,
      incidents: mine,
      markers: chartMarkers(models, mine, { model, version: ver }, steps.range),
      performanceSteps,
    };
  }

  /** The collector's self-contained report of this range and segment, saved to attach to a ticket. */
  async #downloadReport(d: ModelData, route: RouteState) {
    const v = d.version;
    const html = await this.client!.driftReport(v.model, v.version, { from: d.from, to: d.to }, route.segment);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    a.download = `drift-${v.model}-${v.version}.html`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  protected override renderData(d: ModelData, route: RouteState): TemplateResult {
    const v = d.version;
    const p = d.profile;
    return html`
      <h1 tabindex="-1">${v.model}<span aria-hidden="true">@</span><span class="sr-only"> version </span>${v.version}</h1>
      <p class="sub">
        ${timeRange(d.from, d.to)} · ${segmentLabel(route.segment)}
        ${route.segment ? html` · <a href=${linkTo(route, route.view, { segment: undefined })}>show all traffic</a>` : nothing}
        · <button type="button" id="drift-report" @click=${() => this.#downloadReport(d, route)}>Drift report (HTML)</button>
        · <a id="canary-link" href=${linkTo(route, { name: 'canary', model: v.model, version: v.version })}>Canary comparison</a>
      </p>
      <ul class="stats" aria-label="Counts in range">
        <li><span class="k">Devices</span><span class="v">${count(p.devices)}</span></li>
        <li><span class="k">Uploads</span><span class="v">${count(p.uploads)}</span></li>
        <li><span class="k">Rows</span><span class="v">${count(p.rows)}</span></li>
        <li><span class="k">Baseline</span><span class="v">${v.baseline ? 'set' : 'none'}</span></li>
        ${p.layouts && p.layouts > 1 ? html`<li><span class="k">Layouts merged apart</span><span class="v">${p.layouts}</span></li>` : nothing}
        ${p.privacy ? html`<li><span class="k">Private-mode uploads</span><span class="v">${count(p.privacy.noisyUploads)}</span></li>` : nothing}
      </ul>
      ${
        p.privacy
          ? html`<p class="note">Counts from private-mode uploads carry noise (${Object.entries(p.privacy.noiseScales)
              .map(([scale, n]) => `noise scale b = ${scale}: ${count(n)} uploads`)
              .join(
                ', ',
              )})${p.privacy.cellError ? html`: every count shown is within ${errorBar(p.privacy.cellError)} of the true one with 95% probability` : nothing}.</p>`
          : nothing
      }
      ${
        d.alerts.length
          ? html`<section class="card" aria-labelledby="alerts-h"><h2 id="alerts-h">Open alerts</h2>
            <ew-alert-list .alerts=${d.alerts} .route=${route}></ew-alert-list></section>`
          : nothing
      }
      ${
        p.suppressed
          ? html`<ew-state kind="empty" message=${
              p.uploads === 0
                ? 'No data: nothing was uploaded in this range. Widen the range, or check that the devices still report.'
                : `Fewer than ${d.k} devices reported in this range, so nothing is shown. Widen the range or pick another segment.`
            }></ew-state>`
          : this.#body(d, route)
      }
    `;
  }

  #body(d: ModelData, route: RouteState) {
    const p = d.profile;
    const point = d.whole?.points[0];
    const drift = point && !point.suppressed ? point.columns : undefined;
    const rows: DriftRow[] = Object.keys(d.version.columns).map((name) => ({
      name,
      kind: d.version.columns[name],
      drift: drift?.[name],
      summary: p.columns?.[name],
    }));
    const names = Object.keys(d.version.columns);
    // The most drifted column over the range: the one whose segments are ranked below.
    const worst = drift
      ? Object.entries(drift)
          .filter(([, c]) => c.drifted.drifted)
          .sort(([, a], [, b]) => severityKey(b) - severityKey(a))[0]?.[0]
      : undefined;
    return html`
      <section class="card" aria-labelledby="dataset-h">
        <h2 id="dataset-h">Dataset drift</h2>
        ${
          !d.version.baseline
            ? html`<ew-state kind="unsupported" message="No baseline for this version: drift is not computed. Upload one with edgewatch baseline."></ew-state>`
            : point && !point.suppressed
              ? html`<p><strong>${point.driftedColumns} of ${point.comparedColumns}</strong> compared columns drifted over the range.</p>
                <ew-schema-changes .schema=${point.schema}></ew-schema-changes>
                ${this.#timeline(d)}`
              : html`<ew-state kind="empty" message="Too few devices to compare with the baseline in this range."></ew-state>`
        }
      </section>
      <section class="card" aria-labelledby="columns-h">
        <h2 id="columns-h">Columns</h2>
        <ew-drift-table .rows=${rows} .route=${route} model=${d.version.model} version=${d.version.version}></ew-drift-table>
      </section>
      <div class="grid">
        ${this.#predictions(d, names)} ${this.#health(d, names, route)}
      </div>
      ${this.#performance(d, names)} ${this.#segments(d, route)}
      ${
        worst && !route.segment
          ? html`<section class="card" aria-labelledby="rank-h">
            <h2 id="rank-h">Which segment: ${worst}</h2>
            <ew-segment-ranking .client=${this.client} .route=${route} .refreshToken=${this.refreshToken} column=${worst}></ew-segment-ranking>
          </section>`
          : nothing
      }
      <section class="card" aria-labelledby="slo-h">
        <h2 id="slo-h">SLOs and error budgets</h2>
        <ew-slo-panel .client=${this.client} .route=${route} .refreshToken=${this.refreshToken}></ew-slo-panel>
      </section>
    `;
  }

  #timeline(d: ModelData) {
    const pts = d.timeline?.points ?? [];
    if (!pts.length) return nothing;
    const data = [
      pts.map((q) => q.from),
      pts.map((q) => (q.suppressed ? null : (q.driftedColumns ?? null))),
      pts.map((q) => (q.suppressed ? null : (q.comparedColumns ?? null))),
    ];
    const opts = timelineOptions(
      [
        { label: 'drifted columns', color: COLORS.current },
        { label: 'compared columns', color: COLORS.baseline, dash: [4, 4] },
      ],
      { y: 'columns' },
      true,
      d.markers,
    );
    return html`<ew-chart .options=${opts} .data=${data as unknown as uPlot.AlignedData} .height=${180}
      label="Drifted and compared columns per ${Math.round(d.timeline!.step / 60_000)} minute step"></ew-chart>
      ${markerList(d.markers, this.route!, d.version.model)}
      <ew-steps-table .points=${pts} .route=${this.route} summary="Per step (open a step's window)"
        .columns=${[{ label: 'drifted columns', value: (q: (typeof pts)[number]) => `${q.driftedColumns} of ${q.comparedColumns}` }]}></ew-steps-table>
      <p class="note">Steps of ${Math.round(d.timeline!.step / 60_000)} min; gaps are steps with fewer than ${d.k} devices.</p>`;
  }

  #predictions(d: ModelData, names: string[]) {
    const predicted = names.filter(conventions.predicted);
    const confidence = names.filter(conventions.confidence);
    if (!predicted.length && !confidence.length) return nothing;
    return html`<section class="card" aria-labelledby="pred-h">
      <h2 id="pred-h">Predictions</h2>
      ${predicted.map(
        (n) => html`<h3 style="font-size:0.95rem">${n}</h3>
          <ew-distribution name=${n} .current=${d.profile.columns?.[n]} .baseline=${d.profile.baseline?.[n] ?? undefined} .height=${200}></ew-distribution>
          <h3 style="font-size:0.95rem">${n}: class shares over time</h3>
          ${
            d.outputs?.points.some((q) => q.columns?.[n])
              ? html`<ew-class-shares name=${n} .points=${d.outputs.points} .step=${d.outputs.step} .k=${d.k} .route=${this.route}></ew-class-shares>`
              : html`<ew-state kind="empty" message="No step with at least ${d.k} devices recorded ${n}."></ew-state>`
          }`,
      )}
      ${confidence.map((n) => this.#confidence(d, n))}
    </section>`;
  }

  #confidence(d: ModelData, name: string) {
    const pts = d.outputs?.points ?? [];
    const head = html`<h3 style="font-size:0.95rem">${name} over time</h3>`;
    if (!pts.some((q) => q.columns?.[name]))
      return html`${head}<ew-state kind="empty" message="No step with at least ${d.k} devices recorded ${name}."></ew-state>`;
    const col = (q: SummaryPoint): StepColumn | undefined => q.columns?.[name];
    const mean = (q: SummaryPoint) => {
      const c = col(q);
      return c && c.kind !== 'categorical' && c.finite > 0 ? c.mean : null;
    };
    const median = (q: SummaryPoint) => col(q)?.quantiles?.['0.5'] ?? null;
    // The baseline's mean as a flat line, when the baseline has values of the column.
    const b = d.profile.baseline?.[name];
    const baseMean = b && b.kind !== 'categorical' && b.finite > 0 ? b.mean : null;
    const data = [pts.map((q) => q.from), pts.map(mean), pts.map(median), pts.map(() => baseMean)];
    const opts = timelineOptions(
      [
        { label: 'mean', color: COLORS.current },
        { label: 'median', color: COLORS.third },
        { label: 'baseline mean', color: COLORS.baseline, dash: [4, 4] },
      ],
      {},
      false,
      d.markers,
    );
    const cols = [
      { label: 'mean', value: (q: SummaryPoint) => num(mean(q)) },
      { label: 'median', value: (q: SummaryPoint) => num(median(q)) },
    ];
    return html`${head}<ew-chart .options=${opts} .data=${data as unknown as uPlot.AlignedData} .height=${180} label="${name}: mean and median per step"></ew-chart>
      <ew-steps-table .points=${pts} .columns=${cols} .route=${this.route} summary="${name} per step"></ew-steps-table>
      ${baseMean === null ? html`<p class="note">The baseline has no values of ${name}: no baseline mean.</p>` : nothing}`;
  }

  #health(d: ModelData, names: string[], route: RouteState) {
    const latency = names.find(conventions.latency);
    const failure = names.find(conventions.failure);
    const provider = names.find(conventions.provider);
    if (!latency && !failure) return nothing;
    const p = d.profile.columns ?? {};
    // Current quantiles from the summaries route; the baseline's from the drift comparison, if any.
    const lat = latency ? d.whole?.points[0]?.columns?.[latency] : undefined;
    const now = latency ? d.latency?.points[0]?.columns?.[latency]?.quantiles : undefined;
    const latSummary = latency ? p[latency] : undefined;
    const items = (n?: string) => {
      const s = n ? p[n] : undefined;
      return s?.kind === 'categorical' ? s.items.filter((i) => i.count !== 0) : [];
    };
    return html`<section class="card" aria-labelledby="health-h">
      <h2 id="health-h">Health</h2>
      ${
        latency
          ? html`<h3 style="font-size:0.95rem"><a href=${linkTo(route, { name: 'column', model: d.version.model, version: d.version.version, column: latency })}>Inference latency (ms)</a></h3>
            ${
              now && now['0.5'] !== null
                ? html`<div class="table-wrap"><table>
                  <thead><tr><th scope="col">Quantile</th><th scope="col" class="n">Baseline</th><th scope="col" class="n">Now</th></tr></thead>
                  <tbody>${(['0.5', '0.9', '0.99'] as const).map(
                    (q) => html`<tr><th scope="row">p${Number(q) * 100}</th>
                      <td class="n">${lat?.kind === 'numeric' ? num(lat.quantiles[q][0]) : html`<span class="absent">no baseline</span>`}</td><td class="n">${num(now[q])}</td></tr>`,
                  )}</tbody>
                </table></div>`
                : html`<ew-state kind="empty" message="No latency recorded in this range."></ew-state>`
            }
            ${
              latSummary && latSummary.kind !== 'categorical' && latSummary.finite > 0
                ? html`<ew-distribution log-x name=${latency} .current=${latSummary} .baseline=${d.profile.baseline?.[latency] ?? undefined} .height=${160}></ew-distribution>
                  <p class="note">mean ${num(latSummary.mean)} ms, min ${num(latSummary.min)}, max ${num(latSummary.max)} over ${count(latSummary.finite)} inferences.</p>`
                : nothing
            }`
          : nothing
      }
      ${
        failure
          ? html`<h3 style="font-size:0.95rem">Inference failures</h3>
            ${
              items(failure).length
                ? html`<table><thead><tr><th scope="col">Kind</th><th scope="col" class="n">Count</th></tr></thead>
                  <tbody>${items(failure).map((i) => html`<tr><td>${i.value}</td><td class="n">${count(i.count)}</td></tr>`)}</tbody></table>`
                : html`<p>None recorded in this range.</p>`
            }`
          : nothing
      }
      ${
        provider && items(provider).length
          ? html`<h3 style="font-size:0.95rem">Execution providers</h3>
            <table><thead><tr><th scope="col">Provider</th><th scope="col" class="n">Inferences</th></tr></thead>
              <tbody>${items(provider).map((i) => html`<tr><td>${i.value}</td><td class="n">${count(i.count)}</td></tr>`)}</tbody></table>`
          : nothing
      }
    </section>`;
  }

  #performance(d: ModelData, names: string[]) {
    const confusion = names.filter(conventions.confusion);
    if (!confusion.length) return nothing;
    const perf = d.performance;
    const noise = perf?.cellError;
    // A noisy count shows its 95% error bar (the collector's, from the uploads' noise scales).
    const withBar = (v: number, bar?: ErrorBar) => (bar ? `${count(v)} ± ${errorBar(bar)}` : count(v));
    return html`<section class="card" aria-labelledby="perf-h">
      <h2 id="perf-h">Performance (feedback)</h2>
      ${confusion.map((n) => {
        const role = parseColumn(n);
        const out = role.group === 'feedback' ? role.output : n;
        const o = perf?.outputs?.[out];
        if (!o || o.labelled <= 0) {
          return html`<ew-state kind="empty" message="No labels have arrived in this range (${n})."></ew-state>`;
        }
        const { classes, matrix } = o.confusion;
        return html`<h3 style="font-size:0.95rem">${out}</h3>
        <ul class="stats" aria-label="Performance of ${out}">
          <li><span class="k">Labelled rows</span><span class="v" data-metric="labelled">${withBar(o.labelled, o.labelledError)}</span></li>
          <li><span class="k">Accuracy</span><span class="v" data-metric="accuracy">${percent(o.accuracy)}</span></li>
          <li><span class="k">Calibration error (ECE)</span><span class="v" data-metric="ece">${o.calibration ? num(o.calibration.ece) : '—'}</span></li>
        </ul>
        <div class="table-wrap"><table>
          <caption>Per class — ${out}</caption>
          <thead><tr><th scope="col">class</th><th scope="col" class="n">precision</th><th scope="col" class="n">recall</th><th scope="col" class="n">ROC AUC</th><th scope="col" class="n">support</th></tr></thead>
          <tbody>${classes.map((c) => {
            const m = o.classes[c];
            return html`<tr data-class=${c}><th scope="row">${c}</th><td class="n">${percent(m.precision)}</td><td class="n">${percent(m.recall)}</td>
              <td class="n">${num(m.auc)}</td><td class="n">${withBar(m.support, o.classError)}</td></tr>`;
          })}</tbody>
        </table></div>
        <div class="table-wrap"><table>
          <caption>Confusion counts: true label (rows) × predicted (columns) — ${n}</caption>
          <thead><tr><th scope="col">true \\ predicted</th>${classes.map((c) => html`<th scope="col" class="n">${c}</th>`)}</tr></thead>
          <tbody>${classes.map((t, i) => html`<tr><th scope="row">${t}</th>${classes.map((_, j) => html`<td class="n">${withBar(matrix[i][j], noise)}</td>`)}</tr>`)}</tbody>
        </table></div>
        <h3 style="font-size:0.95rem">${out}: accuracy and calibration over time</h3>
        <ew-performance-steps output=${out} model=${d.version.model} .points=${d.performanceSteps ?? []} .markers=${d.markers} .k=${d.k} .route=${this.route}></ew-performance-steps>
        <p class="note">ROC AUC is one-vs-rest from score histograms (pairs in the same bin count half); ECE uses each confidence bin's midpoint.
          ${o.calibration ? nothing : 'This output records no calibration histograms. '}${noise ? 'Counts are noisy: ± is the 95% error bar.' : ''}</p>`;
      })}
    </section>`;
  }

  #segments(d: ModelData, route: RouteState) {
    return html`<section class="card" aria-labelledby="seg-h">
      <h2 id="seg-h">Segments</h2>
      ${
        d.segments.length
          ? html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">Segment</th><th scope="col" class="n">Devices</th><th scope="col" class="n">Rows</th></tr></thead>
            <tbody>${d.segments.map(
              (s) => html`<tr><td><a href=${linkTo(route, route.view, { segment: s.segment })}>${segmentLabel(s.segment)}</a></td>
                <td class="n">${count(s.devices)}</td><td class="n">${count(s.rows)}</td></tr>`,
            )}</tbody></table></div>`
          : html`<ew-state kind="empty" message="No segment with at least ${d.k} devices in this range."></ew-state>`
      }
    </section>`;
  }
}

customElements.define('ew-model-view', EwModelView);

/** A 95% half-width, rounded to what a count can resolve. */
function errorBar(bar: ErrorBar): string {
  return num(bar.halfWidth95, 2);
}
