// <ew-segment-ranking column=…>: which segment — the segments of k devices ranked by their
// contribution to one column's drift over the view's range (the collector's
// GET …/segments/ranking: all traffic's Jensen–Shannon distance to the baseline minus that of
// all traffic but the segment). On the column view, and on the model view for its most drifted
// column.
import { html, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { SegmentRankingResponse } from 'edgewatch/read-api';
import { count, num, segmentLabel, testName } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { resolveRange } from '../state/time-range.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

export class EwSegmentRanking extends CollectorView<SegmentRankingResponse> {
  static override properties = { ...CollectorView.properties, column: { type: String } };
  declare column: string;
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || JSON.stringify(prev.view) !== JSON.stringify(next.view) || JSON.stringify(prev.range) !== JSON.stringify(next.range);
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<SegmentRankingResponse> {
    const v = route.view as { model: string; version: string };
    return client.segmentRanking(v.model, v.version, resolveRange(route.range), this.column, signal);
  }

  protected override renderData(d: SegmentRankingResponse, route: RouteState): TemplateResult {
    if (!d.segments.length)
      return html`<ew-state kind="empty" message="No segment with at least ${d.k} devices in this range."></ew-state>`;
    const v = route.view as { model: string; version: string };
    return html`<div class="table-wrap"><table class="stack" data-ranking=${this.column}>
      <caption>Segments by their part in the drift of ${this.column}</caption>
      <thead><tr><th scope="col">Segment</th><th scope="col" class="n">Devices</th><th scope="col">Its verdict</th><th scope="col" class="n">Contribution</th></tr></thead>
      <tbody>${d.segments.map(
        (s) => html`<tr data-segment=${JSON.stringify(s.segment)}>
        <td data-label="Segment"><a href=${linkTo(route, { name: 'column', model: v.model, version: v.version, column: this.column }, { segment: s.segment })}>${segmentLabel(s.segment)}</a></td>
        <td data-label="Devices" class="n">${count(s.devices)}</td>
        <td data-label="Its verdict">${s.drift ? html`<span class="badge ${s.drift.drifted.drifted ? 'yes' : 'no'}">${s.drift.drifted.drifted ? 'drifted' : 'stable'}</span> ${testName(s.drift.drifted.test)} ${num(s.drift.drifted.value)}` : '—'}</td>
        <td data-label="Contribution" class="n">${s.driftContribution === null ? 'n/a' : num(s.driftContribution)}</td>
      </tr>`,
      )}</tbody>
    </table></div>
    <p class="note">Contribution: how much of the column's drift (Jensen–Shannon distance of all traffic to the baseline) goes away without the segment; "n/a" when no other traffic of k devices is left.</p>`;
  }
}

customElements.define('ew-segment-ranking', EwSegmentRanking);
