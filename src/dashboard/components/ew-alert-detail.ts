// <ew-alert-detail>: one alert with the evidence it was raised on — the rule and its threshold,
// the value, the window, the core's verdict, baseline and current quantiles — and links into
// the model and column views at that exact window.
import { html, nothing, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import { ApiError } from '../api/client.ts';
import type { Alert } from 'edgewatch/read-api';
import { num, percent, segmentLabel, testName, time, timeRange } from '../format.ts';
import { alertHref, alertTarget } from '../state/alert-links.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

export class EwAlertDetail extends CollectorView<Alert> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || prev.view.name !== 'alert' || next.view.name !== 'alert' || prev.view.id !== next.view.id;
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<Alert> {
    if (route.view.name !== 'alert') throw new Error('not an alert view');
    const id = route.view.id;
    // The API lists alerts (the newest 500); there is no route for one alert by id.
    const found = (await client.alerts('all', signal)).alerts.find((a) => a.id === id);
    if (!found) throw new ApiError(`no alert #${id} among the collector's newest 500 alerts`, 404, 'not_found');
    return found;
  }

  protected override renderData(a: Alert, route: RouteState): TemplateResult {
    const e = a.evidence ?? {};
    const view = alertHref(a, route);
    const modelView = e.model && e.version && e.column ? alertHref({ ...a, evidence: { ...e, column: null } }, route) : undefined;
    const rows: [string, unknown][] = [
      ['Rule', `${a.rule} (${e.statistic ?? '?'} ${e.op ?? ''} ${num(e.threshold)})`],
      ['Value', num(a.value)],
      ['Severity', a.severity],
      ['Owner', a.owner],
      ['Started', time(a.startedAt)],
      ['Fired', time(a.firedAt)],
      ['Resolved', time(a.resolvedAt)],
      ['Window', e.window ? `${e.window.name ? `rolling ${e.window.name}: ` : ''}${timeRange(e.window.from, e.window.to)}` : '—'],
      ['Segment', segmentLabel(e.segment)],
    ];
    if (e.verdict)
      rows.push([
        'Verdict',
        `${e.verdict.drifted ? 'drifted' : 'stable'}: ${testName(e.verdict.test)} ${num(e.verdict.value)} vs threshold ${num(e.verdict.threshold)}`,
      ]);
    if (typeof e.baseline === 'number' && e.statistic === 'missing_rate') rows.push(['Baseline missing rate', percent(e.baseline)]);
    return html`
      <p><a href=${linkTo(route, { name: 'alerts' })}>← All alerts</a></p>
      <h1 tabindex="-1">Alert #${a.id}: ${a.rule}</h1>
      <p class="sub"><span class="badge ${a.state}">${a.state}</span> ${alertTarget(a)}</p>
      <p>
        ${view ? html`<a href=${view} id="open-view">Open the ${e.column ? 'column' : 'model'} view at the alert's window</a>` : nothing}
        ${modelView ? html` · <a href=${modelView}>Open the model view</a>` : nothing}
      </p>
      <section class="card" aria-labelledby="ev-h">
        <h2 id="ev-h">Evidence</h2>
        <div class="table-wrap"><table>
          <tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody>
        </table></div>
        ${
          e.quantiles
            ? html`<div class="table-wrap" style="margin-top:1rem"><table>
              <caption>Quantiles at evaluation</caption>
              <thead><tr><th scope="col">Quantile</th><th scope="col" class="n">Baseline</th><th scope="col" class="n">Current</th></tr></thead>
              <tbody>${Object.entries(e.quantiles).map(([q, [b, c]]) => html`<tr><th scope="row">p${Number(q) * 100}</th><td class="n">${num(b)}</td><td class="n">${num(c)}</td></tr>`)}</tbody>
            </table></div>`
            : nothing
        }
        ${e.link ? html`<p class="note">Link sent with the notification: <a href=${e.link}>${e.link}</a></p>` : nothing}
      </section>
    `;
  }
}

customElements.define('ew-alert-detail', EwAlertDetail);
