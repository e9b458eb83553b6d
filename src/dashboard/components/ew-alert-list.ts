// <ew-alert-list>: alerts as a table — state, severity, rule, where, value, since — each with a
// link to its detail and one straight to the view it is about.
import { html, LitElement } from 'lit';
import type { Alert } from 'edgewatch/read-api';
import { ago, num, time } from '../format.ts';
import { alertHref, alertTarget } from '../state/alert-links.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { shared } from './styles.ts';

export class EwAlertList extends LitElement {
  static override properties = { alerts: { attribute: false }, route: { attribute: false } };
  declare alerts: Alert[];
  declare route: RouteState;
  static override styles = shared;

  constructor() {
    super();
    this.alerts = [];
  }

  override render() {
    return html`<div class="table-wrap"><table class="stack">
      <thead><tr>
        <th scope="col">State</th><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">About</th>
        <th scope="col" class="n">Value</th><th scope="col">Since</th><th scope="col">Owner</th>
      </tr></thead>
      <tbody>${this.alerts.map((a) => this.#row(a))}</tbody>
    </table></div>`;
  }

  #row(a: Alert) {
    const view = alertHref(a, this.route);
    const since = a.firedAt ?? a.startedAt;
    return html`<tr data-alert=${a.id} data-state=${a.state}>
      <td data-label="State"><span class="badge ${a.state}">${a.state === 'no_data' ? 'no data' : a.state}</span></td>
      <td data-label="Severity">${a.severity}</td>
      <td data-label="Rule"><a href=${linkTo(this.route, { name: 'alert', id: a.id })} aria-label="Alert ${a.id}: ${a.rule} on ${alertTarget(a)}, details">${a.rule}</a></td>
      <td data-label="About">${view ? html`<a href=${view} class="view-link">${alertTarget(a)}</a>` : alertTarget(a)}</td>
      <td data-label="Value" class="n">${num(a.value)}</td>
      <td data-label="Since" title=${time(since)}>${ago(since)}</td>
      <td data-label="Owner">${a.owner}</td>
    </tr>`;
  }
}

customElements.define('ew-alert-list', EwAlertList);
