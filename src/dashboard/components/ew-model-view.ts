// <ew-model-view>: one model version over the selected range — which columns drifted (ranked),
// the dataset-level drift over time, predictions and confidence, latency and failures, missing
// values, feedback when labels arrive, and the segments to drill into.
import { html, nothing, type TemplateResult } from 'lit';
import type uPlot from 'uplot';
import type { CollectorClient } from '../api/client.ts';
import type { Alert, DriftResponse, ErrorBar, ModelVersion, NumericDrift, PerformanceResponse, ProfileResponse, Segment } from '../api/types.ts';
import '../charts/ew-chart.ts';
import { COLORS, timelineOptions } from '../charts/options.ts';
import { count, num, percent, segmentLabel, timeRange } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { alertsOf } from '../state/status.ts';
import { resolveRange, timelineStep, wholeRange } from '../state/time-range.ts';
import { conventions, findVersion, orNoBaseline } from '../state/version.ts';
import { DataView } from './data-view.ts';
import './ew-alert-list.ts';
import './ew-distribution.ts';
import './ew-drift-table.ts';
import './ew-steps-table.ts';
import type { DriftRow } from './ew-drift-table.ts';
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
  alerts: Alert[];
  segments: Segment[];
}

export class EwModelView extends DataView<ModelData> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || JSON.stringify({ ...prev, alertFilter: 0 }) !== JSON.stringify({ ...next, alertFilter: 0 });
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<ModelData> {
    if (route.view.name !== 'model') throw new Error('not a model view');
    const { model, version: ver } = route.view;
    const range = resolveRange(route.range);
    const { k, version } = await findVersion(client, model, ver, signal);
    const whole = wholeRange(range);
    const feedback = Object.keys(version.columns).some(conventions.confusion);
    const [profile, performance, wholeDrift, timeline, alerts, segments] = await Promise.all([
      client.profile(model, ver, range, route.segment, signal),
      feedback ? client.performance(model, ver, range, route.segment, signal) : undefined,
      version.baseline ? orNoBaseline(client.drift(model, ver, whole.range, whole.step, route.segment, signal)) : undefined,
      version.baseline ? orNoBaseline(client.drift(model, ver, range, timelineStep(range), route.segment, signal)) : undefined,
      client.alerts('open', signal),
      client.segments(model, ver, range, signal),
    ]);
    return { k, version, ...range, profile, performance, whole: wholeDrift, timeline, alerts: alertsOf(alerts.alerts, model, ver), segments: segments.segments };
  }

  protected override renderData(d: ModelData, route: RouteState): TemplateResult {
    const v = d.version;
    const p = d.profile;
    return html`
      <h1 tabindex="-1">${v.model}<span aria-hidden="true">@</span><span class="sr-only"> version </span>${v.version}</h1>
      <p class="sub">
        ${timeRange(d.from, d.to)} · ${segmentLabel(route.segment)}
        ${route.segment ? html` · <a href=${linkTo(route, route.view, { segment: undefined })}>show all traffic</a>` : nothing}
      </p>
      <ul class="stats" aria-label="Counts in range">
        <li><span class="k">Devices</span><span class="v">${count(p.devices)}</span></li>
        <li><span class="k">Uploads</span><span class="v">${count(p.uploads)}</span></li>
        <li><span class="k">Rows</span><span class="v">${count(p.rows)}</span></li>
        <li><span class="k">Baseline</span><span class="v">${v.baseline ? 'set' : 'none'}</span></li>
        ${p.layouts && p.layouts > 1 ? html`<li><span class="k">Layouts merged apart</span><span class="v">${p.layouts}</span></li>` : nothing}
        ${p.privacy ? html`<li><span class="k">Private-mode uploads</span><span class="v">${count(p.privacy.noisyUploads)}</span></li>` : nothing}
      </ul>
      ${p.privacy
        ? html`<p class="note">Counts from private-mode uploads carry noise (${Object.entries(p.privacy.noiseScales)
            .map(([scale, n]) => `noise scale b = ${scale}: ${count(n)} uploads`)
            .join(', ')})${p.privacy.cellError ? html`: every count shown is within ${errorBar(p.privacy.cellError)} of the true one with 95% probability` : nothing}.</p>`
        : nothing}
      ${d.alerts.length
        ? html`<section class="card" aria-labelledby="alerts-h"><h2 id="alerts-h">Open alerts</h2>
            <ew-alert-list .alerts=${d.alerts} .route=${route}></ew-alert-list></section>`
        : nothing}
      ${p.suppressed
        ? html`<ew-state kind="empty" message="Fewer than ${d.k} devices reported in this range, so nothing is shown. Widen the range or pick another segment."></ew-state>`
        : this.#body(d, route)}
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
    return html`
      <section class="card" aria-labelledby="dataset-h">
        <h2 id="dataset-h">Dataset drift</h2>
        ${!d.version.baseline
          ? html`<ew-state kind="unsupported" message="No baseline for this version: drift is not computed. Upload one with edgewatch baseline."></ew-state>`
          : point && !point.suppressed
            ? html`<p><strong>${point.driftedColumns} of ${point.comparedColumns}</strong> compared columns drifted over the range.</p>
                ${this.#timeline(d)}`
            : html`<ew-state kind="empty" message="Too few devices to compare with the baseline in this range."></ew-state>`}
      </section>
      <section class="card" aria-labelledby="columns-h">
        <h2 id="columns-h">Columns</h2>
        <ew-drift-table .rows=${rows} .route=${route} model=${d.version.model} version=${d.version.version}></ew-drift-table>
      </section>
      <div class="grid">
        ${this.#predictions(d, names)} ${this.#health(d, names, route)}
      </div>
      ${this.#performance(d, names)} ${this.#segments(d, route)}
    `;
  }

  #timeline(d: ModelData) {
    const pts = d.timeline?.points ?? [];
    if (!pts.length) return nothing;
    const data = [pts.map((q) => q.from), pts.map((q) => (q.suppressed ? null : (q.driftedColumns ?? null))), pts.map((q) => (q.suppressed ? null : (q.comparedColumns ?? null)))];
    const opts = timelineOptions([
      { label: 'drifted columns', color: COLORS.current },
      { label: 'compared columns', color: COLORS.baseline, dash: [4, 4] },
    ], { y: 'columns' }, true);
    return html`<ew-chart .options=${opts} .data=${data as unknown as uPlot.AlignedData} .height=${180}
      label="Drifted and compared columns per ${Math.round((d.timeline!.step) / 60_000)} minute step"></ew-chart>
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
          <ew-distribution name=${n} .current=${d.profile.columns?.[n]} .baseline=${d.profile.baseline?.[n] ?? undefined} .height=${200}></ew-distribution>`,
      )}
      ${confidence.map((n) => this.#confidence(d, n))}
    </section>`;
  }

  #confidence(d: ModelData, name: string) {
    const pts = d.timeline?.points ?? [];
    const compared = pts.some((q) => q.columns?.[name]);
    const head = html`<h3 style="font-size:0.95rem">${name} over time</h3>`;
    if (!compared) {
      return html`${head}<ew-state kind="unsupported"
          message="Not available: the collector reports per-step values only for columns its baseline has (the drift timeline), and the baseline has no ${name}."></ew-state>`;
    }
    const col = (q: (typeof pts)[number]) => q.columns?.[name] as NumericDrift | undefined;
    const data = [pts.map((q) => q.from), pts.map((q) => col(q)?.mean[1] ?? null), pts.map((q) => col(q)?.quantiles['0.5'][1] ?? null), pts.map((q) => col(q)?.mean[0] ?? null)];
    const opts = timelineOptions([
      { label: 'mean', color: COLORS.current },
      { label: 'median', color: COLORS.third },
      { label: 'baseline mean', color: COLORS.baseline, dash: [4, 4] },
    ]);
    const cols = [
      { label: 'mean', value: (q: (typeof pts)[number]) => num(col(q)?.mean[1]) },
      { label: 'median', value: (q: (typeof pts)[number]) => num(col(q)?.quantiles['0.5'][1]) },
    ];
    return html`${head}<ew-chart .options=${opts} .data=${data as unknown as uPlot.AlignedData} .height=${180} label="${name}: mean and median per step"></ew-chart>
      <ew-steps-table .points=${pts} .columns=${cols} .route=${this.route} summary="${name} per step"></ew-steps-table>`;
  }

  #health(d: ModelData, names: string[], route: RouteState) {
    const latency = names.find(conventions.latency);
    const failure = names.find(conventions.failure);
    const provider = names.find(conventions.provider);
    if (!latency && !failure) return nothing;
    const p = d.profile.columns ?? {};
    const lat = latency ? d.whole?.points[0]?.columns?.[latency] : undefined;
    const latSummary = latency ? p[latency] : undefined;
    const items = (n?: string) => {
      const s = n ? p[n] : undefined;
      return s?.kind === 'categorical' ? s.items.filter((i) => i.count !== 0) : [];
    };
    return html`<section class="card" aria-labelledby="health-h">
      <h2 id="health-h">Health</h2>
      ${latency
        ? html`<h3 style="font-size:0.95rem"><a href=${linkTo(route, { name: 'column', model: d.version.model, version: d.version.version, column: latency })}>Inference latency (ms)</a></h3>
            ${lat?.kind === 'numeric'
              ? html`<div class="table-wrap"><table>
                  <thead><tr><th scope="col">Quantile</th><th scope="col" class="n">Baseline</th><th scope="col" class="n">Now</th></tr></thead>
                  <tbody>${(['0.5', '0.9', '0.99'] as const).map((q) => html`<tr><th scope="row">p${Number(q) * 100}</th><td class="n">${num(lat.quantiles[q][0])}</td><td class="n">${num(lat.quantiles[q][1])}</td></tr>`)}</tbody>
                </table></div>`
              : html`<ew-state kind="unsupported" message="Latency quantiles are not in the read API for a column the baseline lacks (the profile route returns histogram buckets, not quantiles). Its histogram:"></ew-state>
                  <ew-distribution name=${latency} .current=${latSummary} .height=${160}></ew-distribution>
                  ${latSummary && latSummary.kind !== 'categorical'
                    ? html`<p class="note">mean ${num(latSummary.mean)} ms, min ${num(latSummary.min)}, max ${num(latSummary.max)} over ${count(latSummary.finite)} inferences.</p>`
                    : nothing}`}`
        : nothing}
      ${failure
        ? html`<h3 style="font-size:0.95rem">Inference failures</h3>
            ${items(failure).length
              ? html`<table><thead><tr><th scope="col">Kind</th><th scope="col" class="n">Count</th></tr></thead>
                  <tbody>${items(failure).map((i) => html`<tr><td>${i.value}</td><td class="n">${count(i.count)}</td></tr>`)}</tbody></table>`
              : html`<p>None recorded in this range.</p>`}`
        : nothing}
      ${provider && items(provider).length
        ? html`<h3 style="font-size:0.95rem">Execution providers</h3>
            <table><thead><tr><th scope="col">Provider</th><th scope="col" class="n">Inferences</th></tr></thead>
              <tbody>${items(provider).map((i) => html`<tr><td>${i.value}</td><td class="n">${count(i.count)}</td></tr>`)}</tbody></table>`
        : nothing}
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
        const out = /^feedback\.(.+)\.confusion$/.exec(n)![1];
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
        <p class="note">ROC AUC is one-vs-rest from score histograms (pairs in the same bin count half); ECE uses each confidence bin's midpoint.
          ${o.calibration ? nothing : 'This output records no calibration histograms. '}${noise ? 'Counts are noisy: ± is the 95% error bar.' : ''}</p>`;
      })}
    </section>`;
  }

  #segments(d: ModelData, route: RouteState) {
    return html`<section class="card" aria-labelledby="seg-h">
      <h2 id="seg-h">Segments</h2>
      ${d.segments.length
        ? html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">Segment</th><th scope="col" class="n">Devices</th><th scope="col" class="n">Rows</th></tr></thead>
            <tbody>${d.segments.map(
              (s) => html`<tr><td><a href=${linkTo(route, route.view, { segment: s.segment })}>${segmentLabel(s.segment)}</a></td>
                <td class="n">${count(s.devices)}</td><td class="n">${count(s.rows)}</td></tr>`,
            )}</tbody></table></div>`
        : html`<ew-state kind="empty" message="No segment with at least ${d.k} devices in this range."></ew-state>`}
    </section>`;
  }
}

customElements.define('ew-model-view', EwModelView);

/** A 95% half-width, rounded to what a count can resolve. */
function errorBar(bar: ErrorBar): string {
  return num(bar.halfWidth95, 2);
}
