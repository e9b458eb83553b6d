// <ew-distribution>: a column's baseline and current distributions on one chart — a stepped
// histogram overlay for numeric columns, grouped bars for categorical ones — with the counts in
// a table below. Each side is drawn as shares of its own total on one axis (linear, or log so
// small bins show), so a side with ten times the rows does not look the same height; the zero
// bucket is drawn as a spike at 0. The counts themselves are the collector's.
import { html, LitElement, nothing } from 'lit';
import type uPlot from 'uplot';
import type { ColumnSummary } from 'edgewatch';
import { binnedTotal, binsOf, categoryBars, isNumeric, overlay, shares, withZeroBin } from '../charts/histogram-data.ts';
import { barsOptions, overlayOptions, type ShareScale } from '../charts/options.ts';
import '../charts/ew-chart.ts';
import { count, num } from '../format.ts';
import { shared } from './styles.ts';
import './ew-state.ts';

export class EwDistribution extends LitElement {
  static override properties = {
    name: { type: String },
    scale: { type: String },
    logX: { type: Boolean, attribute: 'log-x' },
    current: { attribute: false },
    baseline: { attribute: false },
    height: { type: Number },
  };
  declare name: string;
  declare current: ColumnSummary | undefined;
  declare baseline: ColumnSummary | undefined;
  declare height: number;
  /** The y axis: linear shares, or log shares. */
  declare scale: ShareScale;
  /** A log value axis (latency); possible when every value is positive. */
  declare logX: boolean;

  static override styles = shared;

  constructor() {
    super();
    this.name = '';
    this.height = 240;
    this.scale = 'linear';
    this.logX = false;
  }

  #scalePicker() {
    return html`<label class="note">Axis
      <select aria-label="${this.name}: y axis" @change=${(e: Event) => (this.scale = (e.target as HTMLSelectElement).value as ShareScale)}>
        <option value="linear" ?selected=${this.scale === 'linear'}>share</option>
        <option value="log" ?selected=${this.scale === 'log'}>share, log</option>
      </select></label>`;
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
    const log = this.scale === 'log';
    const data = [
      bars.labels.map((_, i) => i),
      shares(bars.baseline, b ? b.count - b.missing : 0, log),
      shares(bars.current, c ? c.count - c.missing : 0, log),
    ] as unknown as uPlot.AlignedData;
    return html`
      ${this.#scalePicker()}
      <ew-chart .options=${barsOptions(bars.labels, this.scale)} .data=${data} .height=${this.height}
        label="${this.name}: share of each value, baseline and current"></ew-chart>
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
    // A log value axis takes positive values only: then zeros are listed, not drawn.
    const logX = this.logX && [bb, cb].every((x) => !x || x.bins.every((bin) => bin.lo > 0));
    const binsFor = (x?: ReturnType<typeof binsOf>) => (x ? (logX ? x.bins : withZeroBin(x)) : []);
    const o = overlay(binsFor(bb), binsFor(cb));
    if (o.x.length < 2) return html`<ew-state kind="empty" message="No finite values of ${this.name} in this range."></ew-state>`;
    const log = this.scale === 'log';
    const data = [
      o.x,
      shares(o.a, bb ? binnedTotal(bb) : 0, log),
      shares(o.b, cb ? binnedTotal(cb) : 0, log),
    ] as unknown as uPlot.AlignedData;
    const extra = (label: string, x?: ReturnType<typeof binsOf>) =>
      x && (x.zero || x.below || x.above)
        ? html`<li>${label}: ${x.zero ? html`${count(x.zero)} at exactly 0${logX ? ' (not on the log axis)' : ' (the spike at 0)'}` : ''} ${x.below ? html`${count(x.below)} below the first edge` : ''}
            ${x.above ? html`${count(x.above)} above the last edge` : ''}</li>`
        : nothing;
    const scales = c?.scale !== undefined && b?.scale !== undefined && c.scale !== b.scale;
    return html`
      ${this.#scalePicker()}
      <ew-chart .options=${overlayOptions(this.name, this.scale, logX)} .data=${data} .height=${this.height}
        label="${this.name}: histogram of the baseline and of the current range as shares, overlaid"></ew-chart>
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
