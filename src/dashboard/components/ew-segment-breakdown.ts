// <ew-segment-breakdown>: one column's drift verdict in each segment with at least k devices —
// one drift request per segment over the whole range, so every verdict is the collector's.
import { html, nothing, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { ColumnDrift } from 'edgewatch';
import type { Segment } from 'edgewatch/read-api';
import { count, num, pvalue, segmentLabel, testName } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { severityKey } from '../state/severity.ts';
import { resolveRange, wholeRange } from '../state/time-range.ts';
import { findVersion, orNoBaseline } from '../state/version.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

/** Segments compared at most; the rest are listed without a verdict. */
const MAX_COMPARED = 12;

interface SegmentRow {
  segment: Segment;
  drift?: ColumnDrift;
  suppressed?: boolean;
}

interface BreakdownData {
  k: number;
  baseline: boolean;
  rows: SegmentRow[];
}

export class EwSegmentBreakdown extends CollectorView<BreakdownData> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || JSON.stringify(prev.view) !== JSON.stringify(next.view) || JSON.stringify(prev.range) !== JSON.stringify(next.range);
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<BreakdownData> {
    if (route.view.name !== 'column') throw new Error('not a column view');
    const { model, version, column } = route.view;
    const range = resolveRange(route.range);
    const [{ k, version: v }, { segments }] = await Promise.all([
      findVersion(client, model, version, signal),
      client.segments(model, version, range, signal),
    ]);
    const named = segments.filter((s) => Object.keys(s.segment ?? {}).length > 0);
    const whole = wholeRange(range);
    const rows = await Promise.all(
      named.map(async (segment, i): Promise<SegmentRow> => {
        if (!v.baseline || i >= MAX_COMPARED) return { segment };
        const d = await orNoBaseline(client.drift(model, version, whole.range, whole.step, segment.segment, signal));
        const point = d?.points[0];
        return { segment, drift: point?.columns?.[column], suppressed: point?.suppressed };
      }),
    );
    rows.sort((a, b) => severityKey(b.drift) - severityKey(a.drift));
    return { k, baseline: v.baseline, rows };
  }

  protected override renderData(d: BreakdownData, route: RouteState): TemplateResult {
    if (!d.rows.length) return html`<ew-state kind="empty" message="No segment with at least ${d.k} devices in this range."></ew-state>`;
    return html`<div class="table-wrap"><table>
      <caption>Drift of this column per segment, most drifted first</caption>
      <thead><tr>
        <th scope="col">Segment</th><th scope="col" class="n">Devices</th><th scope="col" class="n">Rows</th>
        <th scope="col">Verdict</th><th scope="col">Test</th><th scope="col" class="n">Value</th>
      </tr></thead>
      <tbody>${d.rows.map((r) => {
        const dr = r.drift;
        return html`<tr class=${dr?.drifted.drifted ? 'drifted' : ''} data-segment=${JSON.stringify(r.segment.segment)}>
          <td><a href=${linkTo(route, route.view, { segment: r.segment.segment })}>${segmentLabel(r.segment.segment)}</a></td>
          <td class="n">${count(r.segment.devices)}</td>
          <td class="n">${count(r.segment.rows)}</td>
          <td>${dr ? html`<span class="badge ${dr.drifted.drifted ? 'yes' : 'no'}">${dr.drifted.drifted ? 'drifted' : 'stable'}</span>` : r.suppressed ? `< ${d.k} devices` : '—'}</td>
          <td>${dr ? testName(dr.drifted.test) : nothing}</td>
          <td class="n">${dr ? (dr.drifted.test.endsWith('pvalue') ? pvalue(dr.drifted.value) : num(dr.drifted.value)) : nothing}</td>
        </tr>`;
      })}</tbody>
    </table></div>
    ${d.rows.length > MAX_COMPARED ? html`<p class="note">Verdicts for the first ${MAX_COMPARED} segments only.</p>` : nothing}`;
  }
}

customElements.define('ew-segment-breakdown', EwSegmentBreakdown);
