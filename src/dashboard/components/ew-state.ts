// <ew-state>: the loading, empty, error and "not available" states every view shows in the
// same way. Errors are announced (role="alert"); the others politely (role="status").
import { css, html, LitElement } from 'lit';

export type StateKind = 'loading' | 'empty' | 'error' | 'unsupported';

export class EwState extends LitElement {
  static override properties = { kind: { type: String, reflect: true }, message: { type: String } };
  declare kind: StateKind;
  declare message: string;

  constructor() {
    super();
    this.kind = 'loading';
    this.message = '';
  }

  static override styles = css`
    :host { display: block; }
    div { border-radius: 6px; padding: 0.8rem 1rem; font-size: 0.95rem; }
    :host([kind='loading']) div { color: #5a6475; }
    :host([kind='empty']) div, :host([kind='unsupported']) div { background: #f5f7fa; color: #4a5468; border: 1px dashed #cfd5df; }
    :host([kind='error']) div { background: #fde8e8; color: #8c1a1f; border: 1px solid #f3b4b6; }
    .spinner {
      display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.5em; vertical-align: -0.1em;
      border: 2px solid #cfd5df; border-top-color: #1f5fbf; border-radius: 50%;
      animation: spin 0.8s linear infinite;
    }
    @keyframes spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  `;

  override render() {
    const role = this.kind === 'error' ? 'alert' : 'status';
    const text = this.message || (this.kind === 'loading' ? 'Loading…' : '');
    return html`<div role=${role} aria-live=${this.kind === 'error' ? 'assertive' : 'polite'}>
      ${this.kind === 'loading' ? html`<span class="spinner" aria-hidden="true"></span>` : ''}${text}<slot></slot>
    </div>`;
  }
}

customElements.define('ew-state', EwState);

declare global {
  interface HTMLElementTagNameMap {
    'ew-state': EwState;
  }
}
