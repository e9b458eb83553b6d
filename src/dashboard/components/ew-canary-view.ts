// <ew-canary-view>: a model version (the canary) against another (by default its rollback
// target) over the selected range and segment, as the collector compares them (GET …/canary):
// the promote | hold | rollback verdict with its reasons, the evidence side by side — devices,
// failures, latency quantiles, per output confidence, accuracy and calibration — the columns
// whose distributions differ between the two (grouped into inputs, outputs, health and
// feedback), and what each version is (GET …/metadata).
import { css, html, nothing, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { ColumnDrift } from 'edgewatch';
import type {
  CanaryReport as CanaryResponse,
  ModelVersion,
  VersionMetadata as Metadata,
  VersionSide as CanarySide,
} from 'edgewatch/read-api';

type VersionMetadata = Required<Metadata>;
import { COLUMN_GROUPS, groupOf, outputsAmong } from 'edgewatch/columns';
import { count, num, percent, segmentLabel, testName, timeRange } from '../format.ts';
import { formatHash, linkTo, type RouteState } from '../state/route.ts';
import { severityKey } from '../state/severity.ts';
import { resolveRange } from '../state/time-range.ts';
import { findVersion } from '../state/version.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

interface CanaryData {
  model: string;
  version: string;
  /** Every version of the model: the choices of both pickers. */
  versions: ModelVersion[];
  /** The peer compared with; null when none was picked and the version has no rollback target. */
  against: string | null;
  meta: VersionMetadata;
  peerMeta?: VersionMetadata;
  report?: CanaryResponse;
}

const METADATA: [keyof VersionMetadata, string][] = [
  ['owner', 'Owner'],
  ['criticality', 'Criticality'],
  ['trainingSnapshot', 'Training data snapshot'],
  ['schemaVersion', 'Feature schema version'],
  ['rollbackTarget', 'Rollback target'],
];

export class EwCanaryView extends CollectorView<CanaryData> {
  static override styles = [
    shared,
    css`
      .verdict { font-size: 1.2rem; padding: 0.2rem 0.9rem; text-transform: uppercase; letter-spacing: 0.04em; }
      .verdict.promote { background: #e3f5ea; color: #17693b; border-color: #b6e2c6; }
      .verdict.hold { background: #fff8db; color: #7a5b00; border-color: #f0dc8a; }
      .verdict.rollback { background: #fde8e8; color: #a31f24; border-color: #f3b4b6; }
      .pickers label { display: flex; gap: 0.4rem; align-items: center; }
    `,
  ];

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || JSON.stringify({ ...prev, alertFilter: 0 }) !== JSON.stringify({ ...next, alertFilter: 0 });
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<CanaryData> {
    if (route.view.name !== 'canary') throw new Error('not a canary view');
    const { model, version, against: picked } = route.view;
    const { models } = await findVersion(client, model, version, signal);
    const meta = await client.metadata(model, version, signal);
    const against = picked ?? meta.rollbackTarget;
    const versions = models.filter((m) => m.model === model);
    if (!against) return { model, version, versions, against: null, meta };
    const [report, peerMeta] = await Promise.all([
      client.canary(model, version, against, resolveRange(route.range), route.segment, signal),
      client.metadata(model, against, signal),
    ]);
    return { model, version, versions, against, meta, peerMeta, report };
  }

  #go(route: RouteState, model: string, version: string, against?: string) {
    location.hash = formatHash({ ...route, view: { name: 'canary', model, version, ...(against ? { against } : {}) } });
  }

  protected override renderData(d: CanaryData, route: RouteState): TemplateResult {
    const modelHref = linkTo(route, { name: 'model', model: d.model, version: d.version });
    const picked = route.view.name === 'canary' ? route.view.against : undefined;
    return html`
      <nav aria-label="Breadcrumb"><a href=${modelHref}>${d.model}@${d.version}</a> › canary</nav>
      <h1 tabindex="-1">Canary: ${d.model}@${d.version}${d.against ? html` against ${d.against}` : nothing}</h1>
      <p class="sub">${d.report ? timeRange(d.report.from, d.report.to) : nothing} · ${segmentLabel(route.segment)}</p>
      <div class="actions pickers">
        <label>Version
          <select id="canary-version" @change=${(e: Event) => this.#go(route, d.model, (e.target as HTMLSelectElement).value, picked)}>
            ${d.versions.map((v) => html`<option value=${v.version} ?selected=${v.version === d.version}>${v.version}</option>`)}
          </select></label>
        <label>Compared with
          <select id="canary-against" @change=${(e: Event) => this.#go(route, d.model, d.version, (e.target as HTMLSelectElement).value || undefined)}>
            <option value="" ?selected=${!picked}>its rollback target${d.meta.rollbackTarget ? ` (${d.meta.rollbackTarget})` : ': none set'}</option>
            ${d.versions
              .filter((v) => v.version !== d.version)
              .map((v) => html`<option value=${v.version} ?selected=${v.version === picked}>${v.version}</option>`)}
          </select></label>
      </div>
      ${
        d.report
          ? this.#report(d.report)
          : html`<ew-state kind="empty" message="${d.model}@${d.version} has no rollback target: pick a version to compare with."></ew-state>`
      }
      ${this.#metadata(d)}
    `;
  }

  #report(r: CanaryResponse) {
    return html`
      <section class="card" aria-labelledby="verdict-h">
        <h2 id="verdict-h">Verdict</h2>
        <p><span class="badge verdict ${r.verdict}" id="verdict" data-verdict=${r.verdict}>${r.verdict}</span></p>
        ${r.reasons.length ? html`<ul id="reasons">${r.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : nothing}
        <p class="note">rollback: the canary fails more (+1 point), is slower (p99 +20 % and the latency distributions apart) or
          less accurate (−2 points on 100 labelled rows each); hold: too few devices, or inputs that differ; else promote.</p>
      </section>
      <section class="card" aria-labelledby="evidence-h">
        <h2 id="evidence-h">Evidence</h2>
        ${this.#sides(r)}
      </section>
      ${r.columns ? this.#columns(r) : nothing}
    `;
  }

  #sides(r: CanaryResponse) {
    const sides = [r.canary, r.stable];
    const row = (label: string, key: string, f: (s: CanarySide) => string) =>
      html`<tr data-row=${key}><th scope="row">${label}</th>${sides.map((s) => html`<td class="n">${s.suppressed ? '—' : f(s)}</td>`)}</tr>`;
    const outputs = [...new Set(sides.flatMap((s) => Object.keys(s.outputs ?? {})))];
    return html`<div class="table-wrap"><table id="sides">
      <caption>Canary beside the version it is compared with</caption>
      <thead><tr><th scope="col"></th>${sides.map((s, i) => html`<th scope="col" class="n">${s.version} (${i ? 'compared with' : 'canary'})</th>`)}</tr></thead>
      <tbody>
        <tr data-row="devices"><th scope="row">Devices</th>${sides.map(
          (s) => html`<td class="n">${s.suppressed ? (s.uploads === 0 ? 'no data' : `fewer than ${r.k}`) : count(s.devices)}</td>`,
        )}</tr>
        ${row('Rows', 'rows', (s) => count(s.rows))}
        ${row('Failure rate', 'failureRate', (s) => percent(s.health?.failureRate))}
        ${row('Failed calls', 'failures', (s) => (s.health ? `${count(s.health.failures)} of ${count(s.health.calls)}` : '—'))}
        ${(['0.5', '0.9', '0.99'] as const).map((q) => row(`Latency p${Number(q) * 100} (ms)`, `latency-${q}`, (s) => num(s.latency?.[q])))}
        ${outputs.map(
          (o) => html`
            ${row(`${o}: confidence median`, `${o}-confidence`, (s) => num(s.outputs?.[o]?.confidenceMedian))}
            ${row(`${o}: labelled rows`, `${o}-labelled`, (s) => count(s.outputs?.[o]?.labelled))}
            ${row(`${o}: accuracy`, `${o}-accuracy`, (s) => percent(s.outputs?.[o]?.accuracy))}
            ${row(`${o}: calibration error (ECE)`, `${o}-ece`, (s) => num(s.outputs?.[o]?.ece))}`,
        )}
      </tbody></table></div>`;
  }

  #columns(r: CanaryResponse) {
    const entries = Object.entries(r.columns!).sort(([, a], [, b]) => severityKey(b as ColumnDrift) - severityKey(a as ColumnDrift));
    const drifted = (list?: string[]) => (list?.length ? list.join(', ') : 'none');
    // Grouped as the model view groups them (inputs, outputs, health, feedback), most apart first in each.
    const outputs = outputsAmong(entries.map(([c]) => c));
    return html`<section class="card" aria-labelledby="shift-h">
      <h2 id="shift-h">What differs between the two</h2>
      <p>Inputs apart: <strong id="drifted-inputs">${drifted(r.driftedInputs)}</strong> · predictions shifted:
        <strong id="drifted-predictions">${drifted(r.driftedPredictions)}</strong></p>
      <div class="table-wrap"><table id="canary-columns">
        <caption>Per column: the core's comparison, the compared-with version in the baseline's place</caption>
        <thead><tr><th scope="col">Column</th><th scope="col">Verdict</th><th scope="col">Test</th><th scope="col" class="n">Value</th><th scope="col" class="n">Threshold</th></tr></thead>
        ${COLUMN_GROUPS.map((g) => {
          const rows = entries.filter(([c]) => groupOf(c, outputs) === g);
          return rows.length
            ? html`<tbody data-group=${g}><tr class="group"><th scope="rowgroup" colspan="5">${g}</th></tr>${rows.map(
                ([c, x]) => html`<tr data-column=${c} class=${x.drifted.drifted ? 'drifted' : ''}><td>${c}</td>
                  <td><span class="badge ${x.drifted.drifted ? 'yes' : 'no'}">${x.drifted.drifted ? 'apart' : 'alike'}</span></td>
                  <td>${testName(x.drifted.test)}</td><td class="n">${num(x.drifted.value)}</td><td class="n">${num(x.drifted.threshold)}</td></tr>`,
              )}</tbody>`
            : nothing;
        })}
      </table></div>
      <p class="note">Shifted predictions are evidence, not a verdict: a retrained version is meant to predict differently; its accuracy on labelled rows decides.</p>
    </section>`;
  }

  #metadata(d: CanaryData) {
    const sides: [string, VersionMetadata | undefined][] = [
      [d.version, d.meta],
      ...(d.against ? ([[d.against, d.peerMeta]] as [string, VersionMetadata | undefined][]) : []),
    ];
    return html`<section class="card" aria-labelledby="meta-h">
      <h2 id="meta-h">Versions</h2>
      <div class="table-wrap"><table id="metadata">
        <thead><tr><th scope="col"></th>${sides.map(([v]) => html`<th scope="col">${v}</th>`)}</tr></thead>
        <tbody>${METADATA.map(
          ([key, label]) =>
            html`<tr data-field=${key}><th scope="row">${label}</th>${sides.map(
              ([, m]) => html`<td>${m?.[key] ?? html`<span class="absent">not set</span>`}</td>`,
            )}</tr>`,
        )}</tbody>
      </table></div>
      <p class="note">Set with PUT /v1/models/:model/versions/:version/metadata (an admin key).</p>
    </section>`;
  }
}

customElements.define('ew-canary-view', EwCanaryView);
