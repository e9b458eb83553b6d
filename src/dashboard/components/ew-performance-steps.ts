// <ew-performance-steps>: an output's accuracy and expected calibration error per step, as lines
// over time — so a drop shows when it began, not only as one figure for the range — with the
// collector's labelled rows, accuracy and ECE of each step in a table below. Each step is the
// collector's GET …/performance over exactly that window.
import { html, LitElement, nothing } from 'lit';
import type uPlot from 'uplot';
import type { PerformanceResponse } from 'edgewatch/read-api';
import '../charts/ew-chart.ts';
import { COLORS, timelineOptions } from '../charts/options.ts';
import { count, num, percent } from '../format.ts';
import type { ChartMarker } from '../state/markers.ts';
import type { RouteState } from '../state/route.ts';
import { markerList } from './marker-list.ts';
import './ew-steps-table.ts';
import { shared } from './styles.ts';

export class EwPerformanceSteps extends LitElement {
  static override properties = {
    output: { type: String },
    model: { type: String },
    points: { attribute: false },
    markers: { attribute: false },
    k: { type: Number },
    route: { attribute: false },
  };
  declare output: string;
  declare model: string;
  declare points: PerformanceResponse[];
  declare markers: ChartMarker[];
  declare k: number;
  declare route: RouteState;
  static override styles = shared;

  constructor() {
    super();
    this.points = [];
    this.markers = [];
  }

  override render() {
    const of = (p: PerformanceResponse) => {
      const o = p.suppressed ? undefined : p.outputs?.[this.output];
      return o && o.labelled > 0 ? o : undefined;
    };
    if (!this.points.some(of))
      return html`<ew-state kind="empty" message="No step with labels of ${this.output} from at least ${this.k} devices."></ew-state>`;
    const accuracy = (p: PerformanceResponse) => of(p)?.accuracy ?? null;
    const ece = (p: PerformanceResponse) => of(p)?.calibration?.ece ?? null;
    const withCalibration = this.points.some((p) => ece(p) !== null);
    const data = [this.points.map((p) => p.from), this.points.map(accuracy), ...(withCalibration ? [this.points.map(ece)] : [])];
    const opts = timelineOptions(
      [
        { label: 'accuracy', color: COLORS.current, scale: 'share' },
        ...(withCalibration ? [{ label: 'calibration error (ECE)', color: COLORS.third, scale: 'ece' }] : []),
      ],
      { share: 'accuracy', ece: 'ECE' },
      false,
      this.markers,
    );
    const minutes = Math.round((this.points[0].to - this.points[0].from) / 60_000);
    const columns = [
      { label: 'labelled rows', value: (p: PerformanceResponse) => count(of(p)?.labelled ?? null) },
      { label: 'accuracy', value: (p: PerformanceResponse) => percent(accuracy(p)) },
      { label: 'ECE', value: (p: PerformanceResponse) => num(ece(p)) },
    ];
    return html`<ew-chart .options=${opts} .data=${data as unknown as uPlot.AlignedData} .height=${180} data-output=${this.output}
        label="${this.output}: accuracy${withCalibration ? ' and calibration error' : ''} per ${minutes} minute step"></ew-chart>
      ${markerList(this.markers, this.route, this.model)}
      <ew-steps-table .points=${this.points} .columns=${columns} .route=${this.route} summary="${this.output}: performance per step"></ew-steps-table>
      <p class="note">Steps of ${minutes} min over labelled rows; gaps are steps without labels or with fewer than ${this.k} devices.
        ${withCalibration ? nothing : 'This output records no calibration histograms: no ECE.'}</p>`;
  }
}

customElements.define('ew-performance-steps', EwPerformanceSteps);
