// <ew-range-picker>: the time range (presets, or the exact window a link carried) and the
// auto-refresh period. Emits `range-change` {range} and `refresh-change` {seconds}.
import { css, html, LitElement } from 'lit';
import { timeRange } from '../format.ts';
import { PRESETS, type Preset, type RangeSpec } from '../state/route.ts';
import { PRESET_LABELS } from '../state/time-range.ts';

export const REFRESH_CHOICES = [0, 15, 60, 300];

export class EwRangePicker extends LitElement {
  static override properties = { range: { attribute: false }, refreshSeconds: { type: Number } };
  declare range: RangeSpec;
  declare refreshSeconds: number;

  constructor() {
    super();
    this.range = { preset: '1h' };
    this.refreshSeconds = 0;
  }

  static override styles = css`
    :host { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; font-size: 0.9rem; }
    label { display: flex; gap: 0.35rem; align-items: center; color: #c9d3e3; }
    select, button { font: inherit; padding: 0.25rem 0.4rem; border-radius: 4px; border: 1px solid #8a97ad; background: #fff; color: #1d2433; }
    select:focus-visible, button:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
  `;

  override render() {
    const custom = !('preset' in this.range);
    const value = 'preset' in this.range ? this.range.preset : 'custom';
    return html`
      <label>Range
        <select aria-label="Time range" @change=${this.#range} .value=${value}>
          ${custom ? html`<option value="custom" selected>${timeRange((this.range as { from: number }).from, (this.range as { to: number }).to)}</option>` : ''}
          ${PRESETS.map((p) => html`<option value=${p} ?selected=${p === value}>${PRESET_LABELS[p]}</option>`)}
        </select>
      </label>
      <label>Refresh
        <select aria-label="Auto-refresh" @change=${this.#refresh} .value=${String(this.refreshSeconds)}>
          ${REFRESH_CHOICES.map((s) => html`<option value=${s} ?selected=${s === this.refreshSeconds}>${s ? `every ${s < 60 ? `${s} s` : `${s / 60} min`}` : 'off'}</option>`)}
        </select>
      </label>
      <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('refresh-now', { bubbles: true, composed: true }))}>Refresh now</button>
    `;
  }

  #range(e: Event) {
    const v = (e.target as HTMLSelectElement).value;
    if (v === 'custom') return;
    this.dispatchEvent(new CustomEvent('range-change', { detail: { range: { preset: v as Preset } }, bubbles: true, composed: true }));
  }

  #refresh(e: Event) {
    const seconds = Number((e.target as HTMLSelectElement).value);
    this.dispatchEvent(new CustomEvent('refresh-change', { detail: { seconds }, bubbles: true, composed: true }));
  }
}

customElements.define('ew-range-picker', EwRangePicker);
