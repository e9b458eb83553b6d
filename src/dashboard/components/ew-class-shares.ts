// <ew-class-shares>: a categorical output (`<out>.predicted`) over time — each class's share of
// the step's predictions, as stacked bars — with the collector's counts per step in a table below.
import { html, LitElement, nothing } from 'lit';
import type uPlot from 'uplot';
import type { SummaryPoint } from 'edgewatch/read-api';
import { classShares, OTHER_CLASSES } from '../charts/class-shares.ts';
import '../charts/ew-chart.ts';
import { stackedSharesOptions } from '../charts/options.ts';
import { count, percent } from '../format.ts';
import type { RouteState } from '../state/route.ts';
import './ew-state.ts';
import './ew-steps-table.ts';
import type { StepPoint } from './ew-steps-table.ts';
import { shared } from './styles.ts';

export class EwClassShares extends LitElement {
  static override properties = {
    name: { type: String },
    points: { attribute: false },
    step: { type: Number },
    k: { type: Number },
    route: { attribute: false },
  };
  declare name: string;
  declare points: SummaryPoint[];
  /** Step length in ms. */
  declare step: number;
  declare k: number;
  declare route: RouteState;

  static override styles = shared;

  constructor() {
    super();
    this.name = '';
    this.points = [];
    this.step = 0;
    this.k = 0;
  }

  override render() {
    const s = classShares(this.points, this.name);
    if (!s.classes.length)
      return html`<ew-state kind="empty" message="No step with predictions of ${this.name} and at least ${this.k} devices."></ew-state>`;
    const minutes = Math.round(this.step / 60_000);
    // Each bar stands over the middle of its step.
    const data = [this.points.map((p) => (p.from + p.to) / 2), ...s.stacked] as unknown as uPlot.AlignedData;
    const at = (p: StepPoint) => this.points.indexOf(p as SummaryPoint);
    const columns = s.classes.map((c, j) => ({
      label: c,
      value: (p: StepPoint) => {
        const i = at(p);
        return s.counts[j][i] === null ? '—' : `${percent(s.shares[j][i])} (${count(s.counts[j][i])})`;
      },
    }));
    columns.push({ label: 'predictions', value: (p: StepPoint) => count(s.totals[at(p)]) });
    return html`
      <ew-chart .options=${stackedSharesOptions(s.classes, s.shares, this.step)} .data=${data} .height=${200}
        label="${this.name}: share of each predicted class per ${minutes} minute step, stacked (${s.classes.join(', ')})"></ew-chart>
      <ew-steps-table .points=${this.points} .columns=${columns} .route=${this.route} summary="${this.name}: share (count) per step"></ew-steps-table>
      <p class="note">Each step's counts per class divided by its predictions; steps of ${minutes} min, gaps are steps with
        fewer than ${this.k} devices.${s.folded.length ? ` “${OTHER_CLASSES}” adds up ${s.folded.length} less predicted classes.` : ''}</p>
      ${this.points.some((p) => p.columns?.[this.name]?.noisy) ? html`<p class="note">Some counts carry privacy noise (negative ones count as 0).</p>` : nothing}
    `;
  }
}

customElements.define('ew-class-shares', EwClassShares);
