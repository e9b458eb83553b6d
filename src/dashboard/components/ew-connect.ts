// <ew-connect>: asks for the collector's base URL and a read key. Emits `connect` {baseUrl, key}.
import { html, LitElement } from 'lit';
import { shared } from './styles.ts';

export class EwConnect extends LitElement {
  static override properties = { baseUrl: { type: String }, message: { type: String } };
  declare baseUrl: string;
  declare message: string;
  static override styles = shared;

  constructor() {
    super();
    this.baseUrl = '';
    this.message = '';
  }

  override render() {
    return html`<section class="card" style="max-width:34rem;margin:2rem auto">
      <h1 tabindex="-1">Connect to a collector</h1>
      <p class="sub">The dashboard reads the collector's JSON API with a read key (<code>edgewatch keys create --kind read</code>).
        The key stays in this browser's local storage.</p>
      ${this.message ? html`<ew-state kind="error" message=${this.message}></ew-state>` : ''}
      <form @submit=${this.#submit}>
        <p><label>Collector URL<br /><input name="baseUrl" type="url" required .value=${this.baseUrl} placeholder="http://127.0.0.1:8787" style="width:100%;font:inherit" /></label></p>
        <p><label>Read key<br /><input name="key" type="password" required autocomplete="off" placeholder="ewr_…" style="width:100%;font:inherit" /></label></p>
        <p><button type="submit" style="font:inherit">Connect</button></p>
      </form>
    </section>`;
  }

  #submit(e: SubmitEvent) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const detail = { baseUrl: String(f.get('baseUrl')).trim(), key: String(f.get('key')).trim() };
    this.dispatchEvent(new CustomEvent('connect', { detail, bubbles: true, composed: true }));
  }
}

customElements.define('ew-connect', EwConnect);
