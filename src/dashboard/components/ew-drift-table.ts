// <ew-drift-table>: a model version's columns grouped into inputs, outputs, health and feedback
// (the core's column groups, edgewatch/columns), most drifted first within each group, with the
// core's verdict for each: the test it rests on, its value and threshold, the p-value, the missing
// rates, and the data-quality checks that fired (NaN or infinities, values outside the baseline's
// range, …). Columns the baseline holds no values of (device-only health and feedback columns)
// are not compared, so they are folded away below rather than listed as "stable". Each column
// name links to its column view.
import { html, LitElement } from 'lit';
import type { ColumnDrift, ColumnSummary } from 'edgewatch';
import { count, num, percent, pvalue, testName } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { COLUMN_GROUPS, groupOf, hasBaselineValues, outputsAmong, type ColumnGroup } from 'edgewatch/columns';
import { pvalueOf, rankColumns, statisticOf } from '../state/severity.ts';
import { shared } from './styles.ts';

export interface DriftRow {
  name: string;
  kind: string;
  drift?: ColumnDrift;
  summary?: ColumnSummary;
}

export class EwDriftTable extends LitElement {
  static override properties = {
    rows: { attribute: false },
    route: { attribute: false },
    model: { type: String },
    version: { type: String },
  };
  declare rows: DriftRow[];
  declare route: RouteState;
  declare model: string;
  declare version: string;

  static override styles = shared;

  constructor() {
    super();
    this.rows = [];
  }

  override render() {
    const ranked = rankColumns(this.rows);
    const outputs = outputsAmong(this.rows.map((r) => r.name));
    const isCompared = (r: DriftRow) => r.drift !== undefined && hasBaselineValues(r.drift);
    const compared = ranked.filter(isCompared);
    const others = ranked.filter((r) => !isCompared(r));
    const inGroup = (rows: DriftRow[], g: ColumnGroup) => rows.filter((r) => groupOf(r.name, outputs) === g);
    const label = (g: ColumnGroup) => g[0].toUpperCase() + g.slice(1);
    return html`
      ${
        compared.length
          ? html`<div class="table-wrap">
            <table aria-describedby="drift-note">
              <caption>Columns ranked by drift severity</caption>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Verdict</th>
                  <th scope="col">Test</th>
                  <th scope="col" class="n">Value</th>
                  <th scope="col" class="n">Threshold</th>
                  <th scope="col" class="n">Statistic</th>
                  <th scope="col" class="n">p-value</th>
                  <th scope="col" class="n">Missing (baseline → now)</th>
                  <th scope="col">Data quality</th>
                </tr>
              </thead>
              ${COLUMN_GROUPS.map((g) => {
                const rows = inGroup(compared, g);
                return rows.length
                  ? html`<tbody data-group=${g}><tr class="group"><th scope="rowgroup" colspan="8">${label(g)}</th></tr>${rows.map((r) => this.#compared(r, r.drift!))}</tbody>`
                  : '';
              })}
            </table>
          </div>
          <p class="note" id="drift-note">The verdict, test, value and threshold are the collector's (the core's compare over the selected range).</p>`
          : ''
      }
      ${
        others.length
          ? html`<details class="uncompared" ?open=${compared.length === 0}>
            <summary>${others.length} column${others.length === 1 ? '' : 's'} not compared (no baseline values): ${COLUMN_GROUPS.filter(
              (g) => inGroup(others, g).length,
            )
              .map((g) => `${inGroup(others, g).length} ${g}`)
              .join(', ')}</summary>
            <div class="table-wrap">
            <table>
              <caption>Columns without a baseline to compare with</caption>
              <thead>
                <tr><th scope="col">Column</th><th scope="col">Kind</th><th scope="col" class="n">Values</th><th scope="col" class="n">Missing</th></tr>
              </thead>
              <tbody>
                ${others.map(
                  (r) => html`<tr data-column=${r.name}>
                    <td><a href=${this.#href(r.name)}>${r.name}</a></td>
                    <td>${r.kind}</td>
                    <td class="n">${r.summary ? count(r.summary.count) : '—'}</td>
                    <td class="n">${r.summary ? count(r.summary.missing) : '—'}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div></details>`
          : ''
      }
    `;
  }

  #href(column: string) {
    return linkTo(this.route, { name: 'column', model: this.model, version: this.version, column });
  }

  #compared(r: DriftRow, d: ColumnDrift) {
    const s = statisticOf(d);
    const drifted = d.drifted.drifted;
    const flags = d.quality?.checks.filter((q) => q.flagged) ?? [];
    return html`<tr class=${drifted ? 'drifted' : ''} data-column=${r.name} data-drifted=${String(drifted)} data-quality=${String(flags.length > 0)}>
      <td><a href=${this.#href(r.name)}>${r.name}</a></td>
      <td><span class="badge ${drifted ? 'yes' : 'no'}">${drifted ? 'drifted' : 'stable'}</span></td>
      <td>${testName(d.drifted.test)}</td>
      <td class="n">${d.drifted.test.endsWith('pvalue') ? pvalue(d.drifted.value) : num(d.drifted.value)}</td>
      <td class="n">${num(d.drifted.threshold)}</td>
      <td class="n" title=${s.name}>${s.name} ${num(s.value)}</td>
      <td class="n">${pvalue(pvalueOf(d))}</td>
      <td class="n">${percent(d.missing_rate[0])} → ${percent(d.missing_rate[1])}</td>
      <td>${flags.length ? flags.map((q) => html`<span class="badge yes" title=${`threshold ${num(q.threshold)}`}>${q.name.replaceAll('_', ' ')} ${num(q.value)}</span> `) : '—'}</td>
    </tr>`;
  }
}

customElements.define('ew-drift-table', EwDriftTable);
