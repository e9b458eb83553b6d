// Page-side helpers for the dashboard tests: mount the app on a hash, find elements through
// shadow roots, wait (bounded) for what the components render.
import { expect } from 'vitest';
import '../../src/dashboard/components/ew-app.ts';
import type { Connection, EwApp } from '../../src/dashboard/components/ew-app.ts';

/** Every element matching `selector` in `root` and all shadow roots below it. */
export function deepAll<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T[] {
  const out: T[] = [...root.querySelectorAll<T>(selector)];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...deepAll<T>(selector, el.shadowRoot));
  return out;
}

export function deep<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T | undefined {
  return deepAll<T>(selector, root)[0];
}

/** Waits until `find` returns something (bounded), and returns it. */
export async function waitFor<T>(find: () => T | undefined | null | false, what: string, timeout = 20_000): Promise<T> {
  let found: T | undefined | null | false;
  try {
    await expect.poll(() => (found = find()), { timeout, interval: 50 }).toBeTruthy();
  } catch {
    throw new Error(`timed out waiting for ${what}; the page shows: ${describePage()}`);
  }
  return found as T;
}

/** The focused element, looking through shadow roots. */
export function activeDeep(): Element | null {
  let a: Element | null = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

export function mount(connection: Connection | null, hash = '#/'): EwApp {
  document.body.replaceChildren();
  history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  const app = document.createElement('ew-app');
  app.connection = connection;
  document.body.append(app);
  return app;
}

export function text(el: Element | ShadowRoot | undefined): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** What a failed wait reports: the states on screen and the start of the view's text. */
export function describePage(): string {
  const states = deepAll('ew-state').map((s) => `[${s.getAttribute('kind')}] ${s.getAttribute('message') ?? ''}`);
  const view = deep('main > *');
  return `${states.join(' | ') || 'no state'}; view: ${text(view?.shadowRoot ?? (undefined as never)).slice(0, 300)}`;
}

/** `selector` inside the shadow root of the first `host` element (found at any depth). */
export function within<T extends Element = HTMLElement>(host: string, selector: string): T | undefined {
  return deepAll<T>(selector, deep(host)?.shadowRoot ?? document.createDocumentFragment())[0];
}

export function allWithin<T extends Element = HTMLElement>(host: string, selector: string): T[] {
  return deepAll<T>(selector, deep(host)?.shadowRoot ?? document.createDocumentFragment());
}
