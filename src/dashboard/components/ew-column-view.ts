// <ew-column-view>: one column of a model version — baseline vs current distribution, the drift
// verdict's statistic over time against its threshold, quantiles and statistics side by side,
// and the same verdict per segment.
import { html, nothing, type TemplateResult } from 'lit';
import type uPlot from 'uplot';
import type { CollectorClient } from '../api/client.ts';
import type { ColumnDrift, ColumnSummary } from 'edgewatch';
import type { DriftResponse, ModelVersion, ProfileResponse, StepColumn } from 'edgewatch/read-api';
import '../charts/ew-chart.ts';
import { COLORS, timelineOptions } from '../charts/options.ts';
import { count, num, percent, pvalue, segmentLabel, testName, timeRange } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { chartMarkers, type ChartMarker } from '../state/markers.ts';
import { resolveRange, stepsOf, wholeRange } from '../state/time-range.ts';
import { conventions, findVersion, orNoBaseline } from '../state/version.ts';
import { CollectorView } from './collector-view.ts';
import './ew-distribution.ts';
import './ew-segment-breakdown.ts';
import './ew-segment-ranking.ts';
import './ew-steps-table.ts';
import { markerList } from './marker-list.ts';
import { shared } from './styles.ts';

interface ColumnData {
  k: number;
  version: ModelVersion;
  column: string;
  from: number;
  to: number;
  profile: ProfileResponse;
  drift?: ColumnDrift;
  timeline?: DriftResponse;
  /** The column over the whole range from the summaries route: current quantiles without a baseline. */
  now?: StepColumn;
  /** Versions of the model that began reporting and incidents of this version opened, in the timeline. */
  markers: ChartMarker[];
}

export class EwColumnView extends CollectorView<ColumnData> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || JSON.stringify({ ...prev, alertFilter: 0 }) !== JSON.stringify({ ...next, alertFilter: 0 });
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<ColumnData> {
    if (route.view.name !== 'column') throw new Error('not a column view');
    const { model, version: ver, column } = route.view;
    const range = resolveRange(route.range);
    const { k, version, models } = await findVersion(client, model, ver, signal);
    if (!(column in version.columns)) throw new Error(`${model}@${ver} has no column "${column}"`);
    const whole = wholeRange(range);
    const steps = stepsOf(route.range, range);
    // The summaries route takes names comma-separated: a name with a comma cannot be asked for.
    const numeric = version.columns[column] !== 'categorical' && !column.includes(',');
    const [profile, wholeDrift, timeline, summaries, incidents] = await Promise.all([
      client.profile(model, ver, range, route.segment, signal),
      version.baseline ? orNoBaseline(client.drift(model, ver, whole.range, whole.step, route.segment, signal)) : undefined,
      version.baseline ? orNoBaseline(client.drift(model, ver, steps.range, steps.step, route.segment, signal)) : undefined,
      numeric ? client.summaries(model, ver, whole.range, whole.step, [column], route.segment, signal) : undefined,
      client.incidents('all', signal),
    ]);
    const now = summaries?.points[0]?.columns?.[column];
    const markers = chartMarkers(models, incidents.incidents, { model, version: ver }, steps.range);
    return { k, version, column, ...range, profile, drift: wholeDrift?.points[0]?.columns?.[column], timeline, now, markers };
  }

  protected override renderData(d: ColumnData, route: RouteState): TemplateResult {
    const v = d.version;
    const modelHref = linkTo(route, { name: 'model', model: v.model, version: v.version });
    const current = d.profile.columns?.[d.column];
    const baseline = d.profile.baseline?.[d.column] ?? undefined;
    return html`
      <nav aria-label="Breadcrumb"><a href=${modelHref}>${v.model}@${v.version}</a> › ${d.column}</nav>
      <h1 tabindex="-1">${d.column}</h1>
      <p class="sub">
        ${v.columns[d.column]} column · ${timeRange(d.from, d.to)} · ${segmentLabel(route.segment)}
        ${route.segment ? html` · <a href=${linkTo(route, route.view, { segment: undefined })}>show all traffic</a>` : nothing}
      </p>
      ${
        d.profile.suppressed
          ? html`<ew-state kind="empty" message="Fewer than ${d.k} devices reported in this range, so nothing is shown."></ew-state>`
          : html`
            ${d.drift ? this.#verdict(d.drift) : nothing}
            <div class="grid">
              <section class="card" aria-labelledby="dist-h">
                <h2 id="dist-h">Distribution: baseline vs current</h2>
                <ew-distribution name=${d.column} ?log-x=${conventions.latency(d.column)} .current=${current} .baseline=${baseline}></ew-distribution>
              </section>
              <section class="card" aria-labelledby="time-h">
                <h2 id="time-h">Drift over time</h2>
                ${this.#timeline(d)}
              </section>
            </div>
            <div class="grid">
              <section class="card" aria-labelledby="q-h">
                <h2 id="q-h">${v.columns[d.column] === 'categorical' ? 'Counts' : 'Quantiles and counts'}</h2>
                ${this.#quantiles(d.drift, current, baseline, d.now)}
              </section>
              ${d.drift ? html`<section class="card" aria-labelledby="s-h"><h2 id="s-h">Statistics</h2>${this.#statistics(d.drift)}</section>` : nothing}
            </div>
          `
      }
      <section class="card" aria-labelledby="seg-h">
        <h2 id="seg-h">Segments</h2>
        <ew-segment-breakdown .client=${this.client} .route=${route} .refreshToken=${this.refreshToken}></ew-segment-breakdown>
      </section>
      ${
        d.version.baseline && !route.segment
          ? html`<section class="card" aria-labelledby="rank-h">
            <h2 id="rank-h">Which segment</h2>
            <ew-segment-ranking .client=${this.client} .route=${route} .refreshToken=${this.refreshToken} column=${d.column}></ew-segment-ranking>
          </section>`
          : nothing
      }
    `;
  }

  #verdict(dr: ColumnDrift) {
    const { drifted, test, value, threshold } = dr.drifted;
    return html`<p role="status" class="verdict">
      <span class="badge ${drifted ? 'yes' : 'no'}">${drifted ? 'drifted' : 'stable'}</span>
      ${testName(test)} = ${test.endsWith('pvalue') ? pvalue(value) : num(value)}
      (${drifted ? 'past' : 'within'} the threshold ${num(threshold)}) over the range.
    </p>`;
  }

  #timeline(d: ColumnData) {
    if (!d.version.baseline)
      return html`<ew-state kind="unsupported" message="No baseline for this version: no drift statistic to follow."></ew-state>`;
    const pts = d.timeline?.points ?? [];
    const has = pts.filter((q) => q.columns?.[d.column]);
    if (!has.length) {
      return html`<ew-state kind=${d.drift ? 'empty' : 'unsupported'}
        message=${d.drift ? `No step has ${d.k} devices or more.` : 'The baseline has no such column: nothing to compare.'}></ew-state>`;
    }
    const test = has[0].columns![d.column].drifted.test;
    const at = (q: (typeof pts)[number], f: (c: ColumnDrift) => number) => {
      const c = q.columns?.[d.column];
      return c ? f(c) : null;
    };
    const data = [pts.map((q) => q.from), pts.map((q) => at(q, (c) => c.drifted.value)), pts.map((q) => at(q, (c) => c.drifted.threshold))];
    const opts = timelineOptions(
      [
        { label: testName(test), color: COLORS.current },
        { label: 'threshold', color: COLORS.threshold, dash: [6, 4] },
      ],
      { y: testName(test) },
      false,
      d.markers,
    );
    const fmt = (v: number) => (test.endsWith('pvalue') ? pvalue(v) : num(v));
    const cols = [
      {
        label: testName(test),
        value: (q: (typeof pts)[number]) => {
          const c = q.columns?.[d.column];
          return c ? fmt(c.drifted.value) : '—';
        },
      },
      {
        label: 'verdict',
        value: (q: (typeof pts)[number]) => {
          const c = q.columns?.[d.column];
          return c ? (c.drifted.drifted ? 'drifted' : 'stable') : '—';
        },
      },
    ];
    return html`<ew-chart .options=${opts} .data=${data as unknown as uPlot.AlignedData}
        label="${testName(test)} of ${d.column} per step, with its threshold"></ew-chart>
      ${markerList(d.markers, this.route!, d.version.model)}
      <ew-steps-table .points=${pts} .columns=${cols} .route=${this.route} summary="Per step (open a step's window)"></ew-steps-table>
      <p class="note">${test.endsWith('pvalue') ? 'Drifted below the threshold' : 'Drifted at or above the threshold'}; steps of
        ${Math.round(d.timeline!.step / 60_000)} min, gaps where fewer than ${d.k} devices reported.</p>`;
  }

  #quantiles(dr: ColumnDrift | undefined, current?: ColumnSummary, baseline?: ColumnSummary, now?: StepColumn) {
    // Without a comparison, the current quantiles come from the summaries route and the baseline
    // side says it has nothing, rather than leaving the table without quantiles.
    const none = html`<span class="absent">no baseline</span>`;
    const rows: [string, string | typeof none, string][] = [];
    const nb = baseline && baseline.kind !== 'categorical' ? baseline : undefined;
    const nc = current && current.kind !== 'categorical' ? current : undefined;
    const side = (v: string) => (baseline ? v : none);
    if (dr) {
      if (dr.kind === 'numeric') {
        for (const q of ['0.5', '0.9', '0.99'] as const)
          rows.push([`p${Number(q) * 100}`, num(dr.quantiles[q][0]), num(dr.quantiles[q][1])]);
        rows.push(['mean', num(dr.mean[0]), num(dr.mean[1])]);
      }
      rows.push(['values', count(dr.count[0]), count(dr.count[1])]);
      rows.push(['missing rate', percent(dr.missing_rate[0]), percent(dr.missing_rate[1])]);
    } else {
      if (now?.quantiles)
        for (const q of ['0.5', '0.9', '0.99'] as const) rows.push([`p${Number(q) * 100}`, side(num(undefined)), num(now.quantiles[q])]);
      if (nb || nc) rows.push(['mean', side(num(nb?.mean)), num(nc?.mean)]);
      rows.push(['values', side(count(baseline?.count)), count(current?.count)]);
      rows.push(['missing', side(count(baseline?.missing)), count(current?.missing)]);
    }
    if (nb || nc) rows.push(['min', side(num(nb?.min)), num(nc?.min)], ['max', side(num(nb?.max)), num(nc?.max)]);
    if (current && current.nan) rows.push(['NaN', side(count(baseline?.nan)), count(current.nan)]);
    if (current?.kind === 'categorical')
      rows.push(['distinct', side(count(baseline?.kind === 'categorical' ? baseline.distinct : undefined)), count(current.distinct)]);
    return html`<div class="table-wrap"><table>
        <thead><tr><th scope="col"></th><th scope="col" class="n">Baseline</th><th scope="col" class="n">Current</th></tr></thead>
        <tbody>${rows.map(([k, b, c]) => html`<tr><th scope="row">${k}</th><td class="n">${b}</td><td class="n">${c}</td></tr>`)}</tbody>
      </table></div>
      ${!dr && !baseline ? html`<p class="note">No baseline for this column: current values only.</p>` : nothing}`;
  }

  #statistics(dr: ColumnDrift) {
    const rows: [string, string][] =
      dr.kind === 'numeric'
        ? [
            ['KS D', num(dr.ks.statistic)],
            ['KS p-value', pvalue(dr.ks.pvalue)],
            ['Wasserstein-1', num(dr.wasserstein)],
            ['PSI', num(dr.psi)],
            ['Jensen–Shannon distance', num(dr.js)],
            ['Hellinger', num(dr.hellinger)],
          ]
        : [
            ['χ²', num(dr.chi2.statistic)],
            ['χ² p-value', pvalue(dr.chi2.pvalue)],
            ['degrees of freedom', num(dr.chi2.dof)],
            ['L∞', num(dr.linf)],
            ['Jensen–Shannon distance', num(dr.js)],
            ['PSI', num(dr.psi)],
          ];
    return html`<div class="table-wrap"><table><tbody>
      ${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td class="n">${v}</td></tr>`)}
    </tbody></table></div>`;
  }
}

customElements.define('ew-column-view', EwColumnView);
