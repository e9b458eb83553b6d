// <ew-incident-detail>: one incident — its signals (each column's statistic, value and threshold),
// the segments ranked by their part in each column's drift, its timeline — and the on-call
// actions: acknowledge, silence or snooze for a span, record the decision, and download the
// postmortem draft to attach to a ticket.
import { html, nothing, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { IncidentAction, IncidentDetail, Signal } from 'edgewatch/read-api';
import { num, segmentLabel, testName, time } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

const SPANS = ['30m', '1h', '4h', '1d'];
const WHO = 'edgewatch.dashboard.on-call';

export class EwIncidentDetail extends CollectorView<IncidentDetail> {
  static override styles = shared;
  #message = '';

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || prev.view.name !== 'incident' || next.view.name !== 'incident' || prev.view.id !== next.view.id;
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<IncidentDetail> {
    if (route.view.name !== 'incident') throw new Error('not an incident view');
    return client.incident(route.view.id, signal);
  }

  async #act(action: IncidentAction) {
    const root = this.renderRoot;
    const by = (root.querySelector('#by') as HTMLInputElement).value.trim();
    const span = (root.querySelector('#span') as HTMLSelectElement).value;
    const decision = (root.querySelector('#decision') as HTMLInputElement).value.trim();
    if (!by) {
      this.#message = 'Say who you are first (the timeline records who acted).';
      this.requestUpdate();
      return;
    }
    localStorage.setItem(WHO, by);
    const id = (this.route!.view as { id: number }).id;
    try {
      await this.client!.act(id, action, action === 'decide' ? { by, decision } : action === 'acknowledge' ? { by } : { by, for: span });
      this.#message =
        action === 'decide'
          ? 'Decision recorded.'
          : `${action === 'acknowledge' ? 'Acknowledged' : action === 'silence' ? `Silenced for ${span}` : `Snoozed for ${span}`}.`;
      this.reload(true);
    } catch (err) {
      this.#message = (err as Error).message;
      this.requestUpdate();
    }
  }

  async #postmortem(id: number) {
    const text = await this.client!.postmortem(id);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/markdown' }));
    a.download = `incident-${id}-postmortem.md`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  protected override renderData(d: IncidentDetail, route: RouteState): TemplateResult {
    const i = d.incident;
    const active = i.state !== 'resolved';
    const muted = [
      i.acknowledgedBy && i.state === 'acknowledged'
        ? `acknowledged by ${i.acknowledgedBy}${i.acknowledgedUntil ? ` until ${time(i.acknowledgedUntil)}` : ''}`
        : null,
      i.silencedUntil && i.silencedUntil > Date.now() ? `silenced until ${time(i.silencedUntil)}` : null,
      i.snoozedUntil && i.snoozedUntil > Date.now() ? `snoozed until ${time(i.snoozedUntil)}` : null,
    ].filter(Boolean);
    return html`
      <p><a href=${linkTo(route, { name: 'incidents' })}>← All incidents</a></p>
      <h1 tabindex="-1">Incident #${i.id}: ${i.model}@${i.version}</h1>
      <p class="sub"><span class="badge ${i.state === 'open' ? 'firing' : i.state === 'acknowledged' ? 'pending' : 'resolved'}" id="incident-state">${i.state}</span>
        ${i.severity} · opened ${time(i.openedAt)}${muted.length ? ` · ${muted.join(' · ')}` : ''}</p>
      <section class="card" aria-labelledby="act-h">
        <h2 id="act-h">Actions</h2>
        <div class="actions">
          <label>You <input id="by" type="text" autocomplete="name" .value=${localStorage.getItem(WHO) ?? ''} placeholder="name or handle" /></label>
          <button type="button" id="ack" ?disabled=${!active} @click=${() => this.#act('acknowledge')}>Acknowledge</button>
          <label>for <select id="span" aria-label="How long">${SPANS.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
          <button type="button" id="silence" ?disabled=${!active} @click=${() => this.#act('silence')}>Silence</button>
          <button type="button" id="snooze" ?disabled=${!active} @click=${() => this.#act('snooze')}>Snooze</button>
        </div>
        <div class="actions">
          <label>Decision <input id="decision" type="text" .value=${i.decision ?? ''} placeholder="e.g. rolled back to 1.4.0" /></label>
          <button type="button" id="decide" @click=${() => this.#act('decide')}>Record</button>
          <button type="button" id="postmortem" @click=${() => this.#postmortem(i.id)}>Postmortem draft</button>
        </div>
        <p class="note" role="status" id="action-status">${this.#message}</p>
      </section>
      <section class="card" aria-labelledby="sig-h">
        <h2 id="sig-h">Signals</h2>
        <div class="table-wrap"><table class="stack">
          <thead><tr><th scope="col">State</th><th scope="col">Column</th><th scope="col">Segment</th><th scope="col">Statistic</th>
            <th scope="col" class="n">Value</th><th scope="col" class="n">Threshold</th><th scope="col">Rule</th></tr></thead>
          <tbody>${d.incident.signals.map((s) => this.#signal(s, route))}</tbody>
        </table></div>
      </section>
      ${
        Object.keys(d.segmentRanking).length
          ? html`<section class="card" aria-labelledby="seg-h">
            <h2 id="seg-h">Which segment</h2>
            <p class="note">Segments of k devices or more, by how much of each column's drift goes away without them (Jensen–Shannon distance to the baseline, all traffic minus all but the segment).</p>
            ${Object.entries(d.segmentRanking).map(
              ([column, segs]) => html`<div class="table-wrap"><table data-column=${column}>
              <caption>${column}</caption>
              <thead><tr><th scope="col">Segment</th><th scope="col" class="n">Devices</th><th scope="col" class="n">Contribution</th></tr></thead>
              <tbody>${
                segs.length
                  ? segs.map(
                      (s) =>
                        html`<tr><td>${segmentLabel(s.segment)}</td><td class="n">${s.devices}</td><td class="n">${s.driftContribution === null ? 'n/a (no other traffic)' : num(s.driftContribution)}</td></tr>`,
                    )
                  : html`<tr><td colspan="3" class="absent">no segment of k devices</td></tr>`
              }</tbody>
            </table></div>`,
            )}
          </section>`
          : nothing
      }
      <section class="card" aria-labelledby="tl-h">
        <h2 id="tl-h">Timeline</h2>
        <ol class="timeline">${d.timeline.map((t) => html`<li><time>${time(t.at)}</time> ${t.kind}${t.actor ? ` by ${t.actor}` : ''}${t.note ? `: ${t.note}` : ''}</li>`)}</ol>
      </section>
    `;
  }

  #signal(s: Signal, route: RouteState) {
    const where = s.column ?? s.output ?? (s.slo ? `SLO ${s.slo}` : 'version');
    const open =
      s.column && s.window
        ? linkTo(
            route,
            {
              name: 'column',
              model: (this.load as { data: IncidentDetail }).data.incident.model,
              version: (this.load as { data: IncidentDetail }).data.incident.version,
              column: s.column,
            },
            { range: { from: s.window.from, to: s.window.to }, segment: s.segment ?? undefined },
          )
        : null;
    return html`<tr data-signal=${s.alert} data-state=${s.state}>
      <td data-label="State"><span class="badge ${s.state === 'no_data' ? 'stale' : s.state}">${s.state === 'no_data' ? 'no data' : s.state}</span></td>
      <td data-label="Column">${open ? html`<a href=${open}>${where}</a>` : where}</td>
      <td data-label="Segment">${segmentLabel(s.segment)}</td>
      <td data-label="Statistic">${s.statistic === 'no_data' ? 'no data' : testName(s.statistic)}</td>
      <td data-label="Value" class="n">${num(s.value)}</td>
      <td data-label="Threshold" class="n">${s.threshold === null ? '—' : `${s.op ?? ''} ${num(s.threshold)}`}</td>
      <td data-label="Rule">${s.rule}</td>
    </tr>`;
  }
}

customElements.define('ew-incident-detail', EwIncidentDetail);
