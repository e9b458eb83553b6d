// <ew-alerts-view>: the project's alerts, filtered by state (open by default), newest first.
import { html, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { Alert } from 'edgewatch/read-api';
import { formatHash, type AlertFilter, type RouteState } from '../state/route.ts';
import { CollectorView } from './collector-view.ts';
import './ew-alert-list.ts';
import { shared } from './styles.ts';

const FILTERS: { value: AlertFilter; label: string }[] = [
  { value: 'open', label: 'Open (pending and firing)' },
  { value: 'firing', label: 'Firing' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

export class EwAlertsView extends CollectorView<Alert[]> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || prev.alertFilter !== next.alertFilter || prev.view.name !== next.view.name;
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<Alert[]> {
    return (await client.alerts(route.alertFilter, signal)).alerts;
  }

  protected override renderData(alerts: Alert[], route: RouteState): TemplateResult {
    const choose = (e: Event) => {
      location.hash = formatHash({ ...route, alertFilter: (e.target as HTMLSelectElement).value as AlertFilter });
    };
    return html`
      <h1 tabindex="-1">Alerts</h1>
      <p class="sub">
        <label>Show
          <select @change=${choose} aria-label="Alert state">
            ${FILTERS.map((f) => html`<option value=${f.value} ?selected=${f.value === route.alertFilter}>${f.label}</option>`)}
          </select>
        </label>
      </p>
      ${
        alerts.length
          ? html`<section class="card"><ew-alert-list .alerts=${alerts} .route=${route}></ew-alert-list></section>`
          : html`<ew-state kind="empty" message=${route.alertFilter === 'open' ? 'No alert is open.' : `No ${route.alertFilter === 'all' ? '' : `${route.alertFilter} `}alerts.`}></ew-state>`
      }
    `;
  }
}

customElements.define('ew-alerts-view', EwAlertsView);
