// <ew-chart>: one uPlot chart in a shadow root, sized to its container. The chart is an image
// to assistive technology (role="img" with a label); the numbers it draws are always also in
// a table next to it.
import { css, html, LitElement, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export class EwChart extends LitElement {
  static override properties = {
    options: { attribute: false },
    data: { attribute: false },
    label: { type: String },
    height: { type: Number },
  };

  declare options: ChartOptions | undefined;
  declare data: uPlot.AlignedData | undefined;
  declare label: string;
  declare height: number;

  #plot: uPlot | undefined;
  // Resizing inside the observer's callback would trigger it again within the same frame.
  #resize = new ResizeObserver(() => requestAnimationFrame(() => this.#fit()));

  constructor() {
    super();
    this.label = 'chart';
    this.height = 220;
  }

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-width: 0; }
      .plot { width: 100%; min-height: 40px; }
      .u-legend { font-size: 0.8rem; }
      .u-legend .u-marker { border-radius: 2px; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize.disconnect();
    this.#plot?.destroy();
    this.#plot = undefined;
  }

  override render() {
    return html`<div class="plot" role="img" aria-label=${this.label}></div>`;
  }

  protected override updated(changed: PropertyValues): void {
    if (!this.options || !this.data) return;
    if (changed.has('options') || changed.has('height') || !this.#plot) {
      this.#plot?.destroy();
      const target = this.renderRoot.querySelector('.plot') as HTMLElement;
      this.#plot = new uPlot({ ...this.options, width: this.#width(), height: this.height }, this.data, target);
    } else if (changed.has('data')) {
      this.#plot.setData(this.data);
    }
  }

  /** The drawn uPlot instance (tests read its series to check what is shown). */
  get plot(): uPlot | undefined {
    return this.#plot;
  }

  #width(): number {
    return Math.max(200, Math.floor(this.getBoundingClientRect().width || 600));
  }

  #fit() {
    const w = this.#width();
    if (this.#plot && Math.abs(this.#plot.width - w) > 1) this.#plot.setSize({ width: w, height: this.height });
  }
}

customElements.define('ew-chart', EwChart);

declare global {
  interface HTMLElementTagNameMap {
    'ew-chart': EwChart;
  }
}
