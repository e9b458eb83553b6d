// <ew-app>: the dashboard shell. It owns the connection, the route (parsed from the URL hash on
// every change), the auto-refresh tick, and focus: after a navigation, focus moves to the new
// view's heading so keyboard and screen-reader users land where the content is.
import { css, html, LitElement, nothing } from 'lit';
import { CollectorClient } from '../api/client.ts';
import { STORAGE } from '../connection.ts';
import { formatHash, linkTo, parseHash, type RangeSpec, type RouteState } from '../state/route.ts';
import './ew-alert-detail.ts';
import './ew-alerts-view.ts';
import './ew-canary-view.ts';
import './ew-column-view.ts';
import './ew-connect.ts';
import './ew-fleet-view.ts';
import './ew-incident-detail.ts';
import './ew-incidents-view.ts';
import './ew-model-view.ts';
import './ew-range-picker.ts';

/** The auto-refresh period until one is chosen: one demo rolling window, half a minute at most. */
export const DEFAULT_REFRESH_SECONDS = 15;

export interface Connection {
  baseUrl: string;
  key: string;
}

export class EwApp extends LitElement {
  static override properties = {
    connection: { attribute: false },
    route: { state: true },
    refreshSeconds: { state: true },
    refreshToken: { state: true },
  };
  declare connection: Connection | null;
  declare route: RouteState;
  declare refreshSeconds: number;
  declare refreshToken: number;
  #client: CollectorClient | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #navigated = false;
  #onHash = () => {
    this.route = parseHash(location.hash);
    this.#navigated = true;
  };

  constructor() {
    super();
    this.connection = null;
    this.route = parseHash(location.hash);
    // On by default: an on-call screen left open must not show stale figures. "off" is remembered.
    const stored = localStorage.getItem('edgewatch.dashboard.refresh');
    this.refreshSeconds = stored === null ? DEFAULT_REFRESH_SECONDS : Number(stored) || 0;
    this.refreshToken = 0;
  }

  static override styles = css`
    :host { display: block; min-height: 100vh; background: #f4f6f9; color: #1d2433; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
    header { background: #1d2433; color: #fff; padding: 0.6rem 1rem; display: flex; flex-wrap: wrap; gap: 0.6rem 1.5rem; align-items: center; }
    .brand { font-weight: 700; letter-spacing: 0.02em; color: #fff; text-decoration: none; }
    nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
    nav a { color: #c9d3e3; text-decoration: none; padding: 0.2rem 0; border-bottom: 2px solid transparent; }
    nav a[aria-current='page'] { color: #fff; border-bottom-color: #f2a900; }
    a:focus-visible, button:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
    ew-range-picker { margin-left: auto; }
    .conn { background: none; border: 1px solid #56627a; color: #c9d3e3; border-radius: 4px; font: inherit; font-size: 0.85rem; padding: 0.2rem 0.5rem; cursor: pointer; }
    main { padding: 1rem; max-width: 1280px; margin: 0 auto; }
    main:focus { outline: none; }
    .skip { position: absolute; left: -999px; }
    .skip:focus { left: 0.5rem; top: 0.5rem; background: #fff; color: #1d2433; padding: 0.3rem 0.6rem; z-index: 10; }
    @media (max-width: 640px) {
      header { padding: 0.5rem 0.7rem; }
      ew-range-picker { margin-left: 0; width: 100%; }
      main { padding: 0.6rem; }
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.#onHash);
    this.#schedule();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.#onHash);
    clearInterval(this.#timer);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('connection'))
      this.#client = this.connection ? new CollectorClient(this.connection.baseUrl, this.connection.key) : undefined;
  }

  /** After a navigation, once the new view has loaded: focus its heading (or main, on an error). */
  #onViewReady = (e: Event) => {
    if (!this.#navigated) return;
    this.#navigated = false;
    const view = e.target as LitElement;
    const h1 = view.shadowRoot?.querySelector('h1') as HTMLElement | null;
    (h1 ?? (this.renderRoot.querySelector('main') as HTMLElement)).focus();
  };

  #schedule() {
    clearInterval(this.#timer);
    if (this.refreshSeconds > 0) this.#timer = setInterval(() => this.refreshToken++, this.refreshSeconds * 1000);
  }

  #setRange(range: RangeSpec) {
    location.hash = formatHash({ ...this.route, range });
  }

  override render() {
    const r = this.route;
    const current = (name: string) =>
      r.view.name === name ||
      (name === 'alerts' && r.view.name === 'alert') ||
      (name === 'incidents' && r.view.name === 'incident') ||
      (name === 'fleet' && (r.view.name === 'model' || r.view.name === 'column' || r.view.name === 'canary'))
        ? 'page'
        : nothing;
    return html`
      <a class="skip" href="#" @click=${(e: Event) => {
        e.preventDefault();
        (this.renderRoot.querySelector('main') as HTMLElement).focus();
      }}>Skip to content</a>
      <header>
        <a class="brand" href=${linkTo(r, { name: 'fleet' })}>edgewatch</a>
        <nav aria-label="Views">
          <ul>
            <li><a href=${linkTo(r, { name: 'fleet' }, { segment: undefined })} aria-current=${current('fleet')}>Fleet</a></li>
            <li><a href=${linkTo(r, { name: 'incidents' }, { segment: undefined })} aria-current=${current('incidents')}>Incidents</a></li>
            <li><a href=${linkTo(r, { name: 'alerts' }, { segment: undefined })} aria-current=${current('alerts')}>Alerts</a></li>
          </ul>
        </nav>
        ${
          this.connection
            ? html`<ew-range-picker .range=${r.range} .refreshSeconds=${this.refreshSeconds}
                @range-change=${(e: CustomEvent) => this.#setRange(e.detail.range)}
                @refresh-change=${(e: CustomEvent) => {
                  this.refreshSeconds = e.detail.seconds;
                  localStorage.setItem('edgewatch.dashboard.refresh', String(this.refreshSeconds));
                  this.#schedule();
                }}
                @refresh-now=${() => this.refreshToken++}></ew-range-picker>
              <button class="conn" type="button" @click=${() => this.#disconnect()} title=${this.connection.baseUrl}>Change collector</button>`
            : nothing
        }
      </header>
      <main tabindex="-1" id="main" @view-ready=${this.#onViewReady}
        @range-change=${(e: CustomEvent) => this.#setRange(e.detail.range)}>${this.#view()}</main>
    `;
  }

  #disconnect() {
    localStorage.removeItem(STORAGE.key);
    this.connection = null;
  }

  #view() {
    if (!this.connection || !this.#client) {
      return html`<ew-connect baseUrl=${localStorage.getItem(STORAGE.collector) ?? location.origin}
        @connect=${(e: CustomEvent<Connection>) => this.#connect(e.detail)}></ew-connect>`;
    }
    const c = this.#client;
    const r = this.route;
    const t = this.refreshToken;
    switch (r.view.name) {
      case 'fleet':
        return html`<ew-fleet-view .client=${c} .route=${r} .refreshToken=${t}></ew-fleet-view>`;
      case 'model':
        return html`<ew-model-view .client=${c} .route=${r} .refreshToken=${t}></ew-model-view>`;
      case 'column':
        return html`<ew-column-view .client=${c} .route=${r} .refreshToken=${t}></ew-column-view>`;
      case 'canary':
        return html`<ew-canary-view .client=${c} .route=${r} .refreshToken=${t}></ew-canary-view>`;
      case 'alerts':
        return html`<ew-alerts-view .client=${c} .route=${r} .refreshToken=${t}></ew-alerts-view>`;
      case 'alert':
        return html`<ew-alert-detail .client=${c} .route=${r} .refreshToken=${t}></ew-alert-detail>`;
      case 'incidents':
        return html`<ew-incidents-view .client=${c} .route=${r} .refreshToken=${t}></ew-incidents-view>`;
      case 'incident':
        return html`<ew-incident-detail .client=${c} .route=${r} .refreshToken=${t}></ew-incident-detail>`;
    }
  }

  #connect(c: Connection) {
    localStorage.setItem(STORAGE.collector, c.baseUrl);
    localStorage.setItem(STORAGE.key, c.key);
    this.connection = c;
  }
}

customElements.define('ew-app', EwApp);

declare global {
  interface HTMLElementTagNameMap {
    'ew-app': EwApp;
  }
}
