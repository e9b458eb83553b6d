// Schema changes on the model view, in a real Chromium against a real collector: a version whose
// windows lack a baseline column and record another as a number shows both, as the drift API
// reports them, and a version whose schema matches shows nothing of the kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, page } from 'vitest/browser';
import { CollectorClient } from '../../src/dashboard/api/client.ts';
import type { DashboardCollector } from './commands.ts';
import { deep, mount, text, waitFor, within } from './helpers.ts';

declare module 'vitest/browser' {
  interface BrowserCommands {
    startDashboardCollector(): Promise<DashboardCollector>;
    stopDashboardCollector(url: string): Promise<void>;
    addSchemaChange(url: string): Promise<void>;
  }
}

let c: DashboardCollector;
const conn = () => ({ baseUrl: c.url, key: c.readKey });

beforeAll(async () => {
  c = await commands.startDashboardCollector();
  await commands.addSchemaChange(c.url);
  await page.viewport(1280, 900);
}, 120_000);

afterAll(async () => {
  document.body.replaceChildren();
  if (c) await commands.stopDashboardCollector(c.url);
});

describe('schema changes on the model view', () => {
  it('lists the missing column and the one of another kind, as the drift API reports them', async () => {
    const api = new CollectorClient(c.url, c.readKey);
    const to = Date.now();
    const from = to - 3_600_000;
    const reported = (await api.drift('schemas', '1.0.0', { from, to }, to - from)).points[0].schema;
    expect(reported).toEqual({ missing: ['income'], changed: [{ name: 'plan', baseline: 'categorical', current: 'numeric' }] });

    mount(conn(), '#/models/schemas/versions/1.0.0');
    const box = await waitFor(() => within('ew-model-view', 'ew-schema-changes'), 'the schema changes');
    const missing = await waitFor(() => deep<HTMLElement>('li[data-missing]', box.shadowRoot!), 'the missing column');
    expect(missing.dataset.missing).toBe('income');
    expect(text(missing)).toContain('income is missing');
    const changed = deep<HTMLElement>('li[data-changed]', box.shadowRoot!)!;
    expect(changed.dataset.changed).toBe('plan');
    expect(text(changed)).toContain('categorical in the baseline, numeric here');
    expect(box.shadowRoot!.querySelectorAll('li')).toHaveLength(2);
  });

  it('shows nothing when the windows have the baseline schema', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0');
    await waitFor(() => within('ew-model-view', 'ew-drift-table'), 'the churn model view');
    const box = await waitFor(() => within('ew-model-view', 'ew-schema-changes'), 'the schema element');
    expect(box.shadowRoot!.querySelector('[data-schema-changes]')).toBeNull();
  });
});
