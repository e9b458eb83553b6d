// <ew-incidents-view>: the project's incidents (active by default: open or acknowledged, not
// snoozed), newest first — what an on-call engineer opens first: one row per model version in
// trouble, with its severity, its columns and segments, and who has it.
import { html, nothing, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { Incident, IncidentFilter } from 'edgewatch/read-api';
import { ago, segmentLabel, time } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

const FILTERS: { value: IncidentFilter; label: string }[] = [
  { value: 'active', label: 'Active (open and acknowledged)' },
  { value: 'snoozed', label: 'Snoozed' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

export class EwIncidentsView extends CollectorView<Incident[]> {
  static override styles = shared;
  #filter: IncidentFilter = 'active';

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || prev.view.name !== next.view.name;
  }

  protected override async fetchData(client: CollectorClient, _route: RouteState, signal: AbortSignal): Promise<Incident[]> {
    return (await client.incidents(this.#filter, signal)).incidents;
  }

  protected override renderData(incidents: Incident[], route: RouteState): TemplateResult {
    const choose = (e: Event) => {
      this.#filter = (e.target as HTMLSelectElement).value as IncidentFilter;
      this.reload(true);
    };
    return html`
      <h1 tabindex="-1">Incidents</h1>
      <p class="sub">
        <label>Show
          <select @change=${choose} aria-label="Incident state">
            ${FILTERS.map((f) => html`<option value=${f.value} ?selected=${f.value === this.#filter}>${f.label}</option>`)}
          </select>
        </label>
      </p>
      ${
        incidents.length
          ? html`<section class="card"><div class="table-wrap"><table class="stack">
            <thead><tr>
              <th scope="col">Incident</th><th scope="col">State</th><th scope="col">Severity</th><th scope="col">Model</th>
              <th scope="col">Columns</th><th scope="col">Segments</th><th scope="col">Since</th><th scope="col">Who</th>
            </tr></thead>
            <tbody>${incidents.map(
              (i) => html`<tr data-incident=${i.id} data-state=${i.state}>
              <td data-label="Incident"><a href=${linkTo(route, { name: 'incident', id: i.id })}>#${i.id}</a></td>
              <td data-label="State"><span class="badge ${i.state === 'open' ? 'firing' : i.state === 'acknowledged' ? 'pending' : 'resolved'}">${i.state}</span>
                ${i.snoozedUntil && i.snoozedUntil > Date.now() ? html` <span class="note">snoozed</span>` : nothing}
                ${i.silencedUntil && i.silencedUntil > Date.now() ? html` <span class="note">silenced</span>` : nothing}</td>
              <td data-label="Severity">${i.severity}</td>
              <td data-label="Model"><a href=${linkTo(route, { name: 'model', model: i.model, version: i.version })}>${i.model}@${i.version}</a></td>
              <td data-label="Columns" class="wrap">${i.columns.join(', ') || '—'}</td>
              <td data-label="Segments" class="wrap">${i.segments.map((s) => segmentLabel(s)).join('; ') || 'all traffic'}</td>
              <td data-label="Since" title=${time(i.openedAt)}>${ago(i.openedAt)}</td>
              <td data-label="Who">${i.acknowledgedBy ?? '—'}</td>
            </tr>`,
            )}</tbody>
          </table></div></section>`
          : html`<ew-state kind="empty" message=${this.#filter === 'active' ? 'No active incident.' : 'No incidents.'}></ew-state>`
      }
    `;
  }
}

customElements.define('ew-incidents-view', EwIncidentsView);
