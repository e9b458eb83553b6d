// <ew-slo-panel>: the SLOs covering a model version — objective, error budget left over the
// period, and the burn rate of each multiwindow alert pair against its threshold (the
// collector's GET /v1/slos; docs/collector.md, SLOs and error budgets).
import { html, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { SloView } from 'edgewatch/read-api';
import { num, percent } from '../format.ts';
import type { RouteState } from '../state/route.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

const PAIRS: [string, number][] = [
  ['1h/5m', 14.4],
  ['6h/30m', 6],
  ['1d/2h', 3],
  ['3d/6h', 1],
];

export class EwSloPanel extends CollectorView<SloView[]> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || JSON.stringify(prev.view) !== JSON.stringify(next.view);
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<SloView[]> {
    const v = route.view as { model: string; version: string };
    return (await client.slos(signal)).slos.filter((s) => s.model === v.model && s.versions.some((x) => x.version === v.version));
  }

  protected override renderData(slos: SloView[], route: RouteState): TemplateResult {
    const v = route.view as { version: string };
    if (!slos.length) return html`<p class="note">No SLO covers this version (PUT /v1/slos/:name).</p>`;
    return html`<div class="table-wrap"><table class="stack">
      <thead><tr><th scope="col">SLO</th><th scope="col">Indicator</th><th scope="col" class="n">Objective</th><th scope="col" class="n">Budget left</th>
        ${PAIRS.map(([p, t]) => html`<th scope="col" class="n">Burn ${p} (alert &gt; ${t})</th>`)}</tr></thead>
      <tbody>${slos.map((s) => {
        const st = s.versions.find((x) => x.version === v.version)!;
        return html`<tr data-slo=${s.name}>
          <td data-label="SLO">${s.name}</td>
          <td data-label="Indicator">${indicatorText(s)}</td>
          <td data-label="Objective" class="n">${percent(s.objective)} over ${s.period}</td>
          <td data-label="Budget left" class="n ${st.budgetRemaining !== null && st.budgetRemaining < 0 ? 'bad' : ''}">${st.budgetRemaining === null ? 'no data' : percent(st.budgetRemaining)}</td>
          ${PAIRS.map(([p, t]) => {
            const b = st.burn[p];
            return html`<td data-label="Burn ${p}" class="n ${b !== null && b > t ? 'bad' : ''}">${b === null ? 'no data' : `${num(b)}×`}</td>`;
          })}
        </tr>`;
      })}</tbody>
    </table></div>`;
  }
}

/** What the SLO holds: a latency threshold, or for calibration the ECE its objective allows. */
function indicatorText(s: SloView): string {
  if (s.indicator === 'latency' && s.threshold) return `latency ≤ ${num(s.threshold)} ms`;
  if (s.indicator === 'calibration') return `calibration (ECE ≤ ${num(1 - s.objective)})`;
  return s.indicator;
}

customElements.define('ew-slo-panel', EwSloPanel);
