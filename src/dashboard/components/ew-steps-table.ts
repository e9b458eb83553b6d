// <ew-steps-table>: the numbers of a time-series chart, one row per step, each step a link to
// the same view narrowed to that window (the "window" layer). Folded by default.
import { html, LitElement } from 'lit';
import { count, time } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { shared } from './styles.ts';

/** What a row needs of a step; drift and summary points both have it. */
export interface StepPoint {
  from: number;
  to: number;
  suppressed: boolean;
  devices: number;
  /** 0: nothing was uploaded in the step ("no data"), not "fewer than k devices". */
  uploads: number;
}

export interface StepColumn {
  label: string;
  // A method, so a column reading a richer point (a drift or summary point) fits.
  value(p: StepPoint): string;
}

export class EwStepsTable extends LitElement {
  static override properties = {
    points: { attribute: false },
    columns: { attribute: false },
    route: { attribute: false },
    summary: { type: String },
  };
  declare points: StepPoint[];
  declare columns: StepColumn[];
  declare route: RouteState;
  declare summary: string;
  static override styles = shared;

  constructor() {
    super();
    this.points = [];
    this.columns = [];
    this.summary = 'Values per step';
  }

  override render() {
    return html`<details>
      <summary>${this.summary}</summary>
      <div class="table-wrap"><table>
        <thead><tr>
          <th scope="col">Window</th><th scope="col" class="n">Devices</th>
          ${this.columns.map((c) => html`<th scope="col" class="n">${c.label}</th>`)}
        </tr></thead>
        <tbody>${this.points.map(
          (p) => html`<tr>
            <td><a href=${linkTo(this.route, this.route.view, { range: { from: p.from, to: p.to } })}>${time(p.from)}</a></td>
            <td class="n">${p.uploads === 0 ? 'no data' : p.suppressed ? 'fewer than k' : count(p.devices)}</td>
            ${this.columns.map((c) => html`<td class="n">${p.suppressed ? '—' : c.value(p)}</td>`)}
          </tr>`,
        )}</tbody>
      </table></div>
    </details>`;
  }
}

customElements.define('ew-steps-table', EwStepsTable);
