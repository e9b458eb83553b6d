// <ew-distribution>: a column's baseline and current distributions on one chart — a stepped
// histogram overlay for numeric columns, grouped bars for categorical ones — with the counts in
// a table below. Each side is drawn on its own count axis, exactly as the collector reports it.
import { html, LitElement, nothing } from 'lit';
import type uPlot from 'uplot';
import type { ColumnSummary } from '../api/types.ts';
import { binsOf, categoryBars, isNumeric, overlay } from '../charts/histogram-data.ts';
import { barsOptions, overlayOptions } from '../charts/options.ts';
import '../charts/ew-chart.ts';
import { count, num } from '../format.ts';
import { shared } from './styles.ts';
import './ew-state.ts';

export class EwDistribution extends LitElement {
  static override properties = {
    name: { type: String },
    current: { attribute: false },
    baseline: { attribute: false },
    height: { type: Number },
  };
  declare name: string;
  declare current: ColumnSummary | undefined;
  declare baseline: ColumnSummary | undefined;
  declare height: number;

  static override styles = shared;

  constructor() {
    super();
    this.name = '';
    this.height = 240;
  }

  override render() {
    const { current, baseline } = this;
    if (!current && !baseline) return html`<ew-state kind="empty" message="No values for ${this.name} in this range."></ew-state>`;
    const kind = (current ?? baseline)!.kind;
    return kind === 'categorical' ? this.#categorical() : this.#numeric();
  }

  #categorical() {
    const c = this.current?.kind === 'categorical' ? this.current : undefined;
    const b = this.baseline?.kind === 'categorical' ? this.baseline : undefined;
    const bars = categoryBars(c, b);
    if (!bars.labels.length) return html`<ew-state kind="empty" message="No values recorded for ${this.name}."></ew-state>`;
    const data = [bars.labels.map((_, i) => i), bars.baseline, bars.current] as unknown as uPlot.AlignedData;
    return html`
      <ew-chart .options=${barsOptions(bars.labels)} .data=${data} .height=${this.height}
        label="${this.name}: counts per value, baseline and current"></ew-chart>
      <details>
        <summary>Counts per value</summary>
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Value</th><th scope="col" class="n">Baseline</th><th scope="col" class="n">Current</th></tr></thead>
            <tbody>
              ${bars.labels.map((l, i) => html`<tr><td>${l}</td><td class="n">${count(bars.baseline[i])}</td><td class="n">${count(bars.current[i])}</td></tr>`)}
            </tbody>
          </table>
        </div>
      </details>
      ${bars.more ? html`<p class="note">${bars.more} less frequent values not drawn.</p>` : nothing}
      ${c?.mode === 'sketch' ? html`<p class="note">Frequent-items sketch: each current count may be low by up to ${count(c.errorBound)}.</p>` : nothing}
    `;
  }

  #numeric() {
    const c = isNumeric(this.current) ? this.current : undefined;
    const b = isNumeric(this.baseline) ? this.baseline : undefined;
    const cb = c ? binsOf(c) : undefined;
    const bb = b ? binsOf(b) : undefined;
    const o = overlay(bb?.bins ?? [], cb?.bins ?? []);
    if (o.x.length < 2) return html`<ew-state kind="empty" message="No finite values of ${this.name} in this range."></ew-state>`;
    const data = [o.x, o.a, o.b] as unknown as uPlot.AlignedData;
    const extra = (label: string, x?: ReturnType<typeof binsOf>) =>
      x && (x.zero || x.below || x.above)
        ? html`<li>${label}: ${x.zero ? html`${count(x.zero)} at exactly 0` : ''} ${x.below ? html`${count(x.below)} below the first edge` : ''}
            ${x.above ? html`${count(x.above)} above the last edge` : ''}</li>`
        : nothing;
    const scales = c?.scale !== undefined && b?.scale !== undefined && c.scale !== b.scale;
    return html`
      <ew-chart .options=${overlayOptions(this.name)} .data=${data} .height=${this.height}
        label="${this.name}: histogram of the baseline and of the current range, overlaid"></ew-chart>
      <ul class="note">
        ${extra('Baseline', bb)} ${extra('Current', cb)}
        ${scales ? html`<li>Bucket widths differ: baseline at scale ${b!.scale}, current at scale ${c!.scale}.</li>` : nothing}
        ${c?.noisy ? html`<li>Current counts carry privacy noise.</li>` : nothing}
        ${c?.relativeError !== undefined ? html`<li>Bucket relative error ${num(c.relativeError)}.</li>` : nothing}
      </ul>
    `;
  }
}

customElements.define('ew-distribution', EwDistribution);
