// The markers of a version's time charts, as a line of links under the chart (the chart itself
// is an image to assistive technology): an incident opens its page, a version its model view.
import { html, nothing } from 'lit';
import { time } from '../format.ts';
import type { ChartMarker } from '../state/markers.ts';
import { linkTo, type RouteState } from '../state/route.ts';

export function markerList(markers: ChartMarker[], route: RouteState, model: string) {
  if (!markers.length) return nothing;
  return html`<p class="note" id="markers">Marked: ${markers.map(
    (m, n) =>
      html`${n ? ', ' : ''}${
        m.kind === 'incident'
          ? html`<a href=${linkTo(route, { name: 'incident', id: Number(m.ref) })} data-incident=${m.ref}>incident #${m.ref}</a> opened`
          : html`<a href=${linkTo(route, { name: 'model', model, version: m.ref })} data-version=${m.ref}>${model}@${m.ref}</a> began reporting`
      } ${time(m.at)}`,
  )}</p>`;
}
