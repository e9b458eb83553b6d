// The base of every view that reads the collector: it loads when its client, route or refresh
// tick changes, ignores answers that arrive after a newer request, and renders the loading and
// error states. A refresh keeps the data on screen while the new answer is on its way.
import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import type { RouteState } from '../state/route.ts';
import './ew-state.ts';

type LoadState<T> = { status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; data: T; refreshing: boolean };

export abstract class CollectorView<T> extends LitElement {
  static override properties = {
    client: { attribute: false },
    route: { attribute: false },
    refreshToken: { type: Number },
    load: { state: true },
  };

  declare client: CollectorClient | undefined;
  declare route: RouteState | undefined;
  declare refreshToken: number;
  declare load: LoadState<T>;
  #generation = 0;
  #abort: AbortController | undefined;

  constructor() {
    super();
    this.refreshToken = 0;
    this.load = { status: 'loading' };
  }

  /** Fetches everything the view shows. */
  protected abstract fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<T>;
  protected abstract renderData(data: T, route: RouteState): TemplateResult;

  /** Whether a route change needs new data (views ignore changes of other views' state). */
  protected needsReload(previous: RouteState | undefined, next: RouteState): boolean {
    return previous !== next;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.client || !this.route) return;
    const routeChanged = changed.has('route') && this.needsReload(changed.get('route') as RouteState | undefined, this.route);
    if (changed.has('client') || routeChanged) this.reload(false);
    else if (changed.has('refreshToken')) this.reload(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort?.abort();
  }

  /** Loads again; `quiet` keeps the current data visible meanwhile. */
  reload(quiet = false): void {
    const client = this.client;
    const route = this.route;
    if (!client || !route) return;
    const generation = ++this.#generation;
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    if (quiet && this.load.status === 'ready') this.load = { ...this.load, refreshing: true };
    else this.load = { status: 'loading' };
    this.fetchData(client, route, abort.signal).then(
      (data) => {
        if (generation === this.#generation) this.load = { status: 'ready', data, refreshing: false };
      },
      (error: Error) => {
        if (generation === this.#generation && error.name !== 'AbortError') this.load = { status: 'error', error };
      },
    );
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // Tell the shell when a full load has rendered (data or error), so it can move focus here.
    const prev = changed.get('load') as LoadState<T> | undefined;
    if (changed.has('load') && prev?.status === 'loading' && this.load.status !== 'loading') {
      this.dispatchEvent(new CustomEvent('view-ready', { bubbles: true }));
    }
  }

  override render() {
    if (!this.route) return html``;
    switch (this.load.status) {
      case 'loading':
        return html`<ew-state kind="loading" message="Loading from the collector…"></ew-state>`;
      case 'error':
        return html`<ew-state kind="error" message=${this.load.error.message}>
          <button type="button" @click=${() => this.reload(false)} style="margin-left:1rem">Try again</button>
        </ew-state>`;
      case 'ready':
        return html`<div aria-busy=${this.load.refreshing ? 'true' : 'false'}>${this.renderData(this.load.data, this.route)}</div>`;
    }
  }
}
