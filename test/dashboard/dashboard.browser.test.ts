// The dashboard's components in a real Chromium against a real collector (PGlite, seeded by
// test/dashboard/seed.ts through the ingest route). What is asserted is what the page renders,
// compared with what the collector's API answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, page, userEvent } from 'vitest/browser';
import { CollectorClient } from '../../src/dashboard/api/client.ts';
import { count, num, percent, pvalue, timeRange } from '../../src/dashboard/format.ts';
import { makeRows } from '../collector/helpers/payloads.ts';
import {
  CANARY_DEVICES,
  CANARY_FIRST_WINDOW,
  CANARY_METADATA,
  canaryRows,
  CHURN_DEVICES,
  CHURN_ROWS,
  CHURN_WINDOWS,
  PRIVATE_DEVICES,
  PRIVATE_NOISE_SCALE,
  churnRows,
  churnShift,
  churnWindowStart,
  privateWindowStart,
} from './churn-rows.ts';
import { activeDeep, allWithin, deep, deepAll, mount, text, waitFor, within } from './helpers.ts';
import { timelineStep } from '../../src/dashboard/state/time-range.ts';
import type { DashboardCollector } from './commands.ts';

declare module 'vitest/browser' {
  interface BrowserCommands {
    startDashboardCollector(): Promise<DashboardCollector>;
    stopDashboardCollector(url: string): Promise<void>;
    dashboardScreenshot(name: string, width: number, height: number): Promise<string>;
    openServedDashboard(url: string, readKey: string): Promise<{ statuses: string[]; location: string; storedKey: string | null }>;
    createEmptyProjectKey(url: string): Promise<string>;
    addRankerDevice(url: string): Promise<void>;
    openChurnIncident(url: string): Promise<number>;
    createChurnSlo(url: string): Promise<void>;
    seedChurnCanary(url: string, seededAt: number): Promise<void>;
  }
}

let c: DashboardCollector;
let api: CollectorClient;
const conn = () => ({ baseUrl: c.url, key: c.readKey });
const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A full-height screenshot at a width (the frame grows to the page's height, then returns). */
async function shot(name: string, size = LAPTOP) {
  await page.viewport(size.width, size.height);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const height = Math.max(size.height, Math.ceil(document.documentElement.scrollHeight));
  await page.viewport(size.width, height);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await commands.dashboardScreenshot(name, size.width, height);
  await page.viewport(LAPTOP.width, LAPTOP.height);
}

beforeAll(async () => {
  c = await commands.startDashboardCollector();
  api = new CollectorClient(c.url, c.readKey);
  await page.viewport(LAPTOP.width, LAPTOP.height);
}, 120_000);

afterAll(async () => {
  document.body.replaceChildren();
  if (c) await commands.stopDashboardCollector(c.url);
});

describe('fleet', () => {
  it('lists every version with its status, most urgent first, and hides versions below k', async () => {
    mount(conn(), '#/');
    const rows = await waitFor(() => {
      const r = deepAll('tr[data-model]');
      return r.length === 5 && r;
    }, 'five fleet rows');
    const statuses = Object.fromEntries(rows.map((r) => [`${r.dataset.model}@${r.dataset.version}`, r.dataset.status]));
    expect(statuses).toEqual({
      'vision@3.0.0': 'failing',
      'fraud@2.0.0': 'stale',
      'churn@1.0.0': 'drifting',
      'ranker@1.0.0': 'healthy',
      'tiny@0.1.0': 'unknown',
    });
    expect(rows.map((r) => r.dataset.model)).toEqual(['vision', 'fraud', 'churn', 'ranker', 'tiny']);
    // Devices as the API reports them; "< k" where it withholds them.
    const models = (await api.models()).models;
    const churn = rows.find((r) => r.dataset.model === 'churn')!;
    expect(text(churn.children[2] as HTMLElement)).toBe(String(models.find((m) => m.model === 'churn')!.devices));
    expect(text(rows.find((r) => r.dataset.model === 'tiny')!.children[2] as HTMLElement)).toBe('< k');
    // The firing age-drift alert is counted on churn.
    expect(text(churn)).toContain('1 firing');
    // Its drifted columns are read over the alert's own window, the one that made it fire.
    const alert = (await api.alerts('firing')).alerts.find((a) => a.evidence.model === 'churn')!;
    const w = alert.evidence.window!;
    const span = Math.max(60_000, w.to - w.from);
    const overAlert = (await api.drift('churn', '1.0.0', { from: w.from, to: w.from + span }, span)).points[0];
    expect(overAlert.driftedColumns).toBeGreaterThan(0);
    expect(text(churn.children[5] as HTMLElement)).toContain(`${overAlert.driftedColumns} of ${overAlert.comparedColumns}`);
    expect(churn.querySelector('[data-window="alert"]')).toBeTruthy();
    await shot('fleet-laptop');
    await shot('fleet-phone', PHONE);
  });

  it('picks up new uploads on "Refresh now"', async () => {
    mount(conn(), '#/');
    const devices = () => text(allWithin('ew-fleet-view', 'tr[data-model="ranker"] td')[2]);
    await waitFor(() => devices() === '4', 'ranker with 4 devices');
    await commands.addRankerDevice(c.url);
    within<HTMLButtonElement>('ew-range-picker', 'button')!.click();
    await waitFor(() => devices() === '5', 'ranker with 5 devices after the refresh');
  });

  it('shows the empty state for a project without models, and an error for a refused key', async () => {
    mount({ baseUrl: c.url, key: await commands.createEmptyProjectKey(c.url) }, '#/');
    const empty = await waitFor(() => deep('ew-state[kind="empty"]'), 'the empty fleet');
    expect(empty.getAttribute('message')).toContain('No model has reported yet');

    mount({ baseUrl: c.url, key: 'ewr_not-a-key' }, '#/');
    const err = await waitFor(() => deep('ew-state[kind="error"]'), 'an error state');
    expect(text(err.shadowRoot!.querySelector('[role="alert"]')!)).toContain('the read key was refused');

    mount({ baseUrl: 'http://127.0.0.1:9', key: c.readKey }, '#/');
    const down = await waitFor(() => deep('ew-state[kind="error"]'), 'an unreachable-collector error');
    expect(down.getAttribute('message')).toContain('cannot reach the collector at http://127.0.0.1:9');
  });

  it('asks for the collector and a key when none is known', async () => {
    mount(null, '#/');
    const form = await waitFor(() => within<HTMLFormElement>('ew-connect', 'form'), 'the connect form');
    (form.querySelector('input[name="baseUrl"]') as HTMLInputElement).value = c.url;
    (form.querySelector('input[name="key"]') as HTMLInputElement).value = c.readKey;
    form.requestSubmit();
    await waitFor(() => deepAll('tr[data-model]').length === 5, 'the fleet after connecting');
    expect(localStorage.getItem('edgewatch.dashboard.collector')).toBe(c.url);
  });
});

describe('model', () => {
  it('ranks columns by drift severity with the collector’s test, value, p-value and verdict', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0');
    const rows = await waitFor(() => {
      const r = allWithin('ew-drift-table', 'tr[data-drifted]');
      return r.length > 0 && r;
    }, 'ranked columns');
    // What the API says over the same range (the view's range ends when it loaded; the verdict
    // of every column is compared, not its exact value).
    const now = Date.now();
    const drift = (await api.drift('churn', '1.0.0', { from: now - 3_600_000, to: now }, 3_600_000)).points[0];
    const drifted = Object.entries(drift.columns!)
      .filter(([, d]) => d.drifted.drifted)
      .map(([n]) => n);
    expect(drifted).toContain('age');
    const shown = rows.map((r) => ({
      name: r.dataset.column,
      drifted: r.dataset.drifted === 'true',
      group: (r.parentElement as HTMLElement).dataset.group,
    }));
    // Grouped (inputs, outputs, health, feedback); in each group the drifted columns come first;
    // together they are exactly the API's.
    expect(shown.find((s) => s.name === 'age')!.group).toBe('inputs');
    expect(shown.find((s) => s.name === 'scores.predicted')!.group).toBe('outputs');
    for (const g of new Set(shown.map((s) => s.group))) {
      const inGroup = shown.filter((s) => s.group === g);
      const firstStable = inGroup.findIndex((s) => !s.drifted);
      if (firstStable >= 0)
        expect(
          inGroup.slice(firstStable).every((s) => !s.drifted),
          `group ${g}`,
        ).toBe(true);
    }
    expect(
      shown
        .filter((s) => s.drifted)
        .map((s) => s.name)
        .sort(),
    ).toEqual(drifted.sort());
    // Every compared column is ranked, so the table matches the dataset-level share.
    expect(shown).toHaveLength(drift.comparedColumns!);
    // Data-quality flags as the API has them.
    for (const r of rows) expect(r.dataset.quality, r.dataset.column).toBe(String(drift.columns![r.dataset.column!].quality.flagged));
    const age = rows.find((r) => r.dataset.column === 'age')!;
    const d = drift.columns!.age;
    expect(text(age)).toContain('drifted');
    expect(text(age.children[2] as HTMLElement)).toBe('Wasserstein / std');
    expect(text(age.children[4] as HTMLElement)).toBe(num(d.drifted.threshold));
    expect(text(age.children[6] as HTMLElement)).toBe(pvalue(d.kind === 'numeric' ? d.ks.pvalue : NaN));
    // Dataset-level share, predictions, latency, feedback, segments.
    const view = deep('ew-model-view')!.shadowRoot!;
    expect(text(view.querySelector('#dataset-h')!.parentElement!)).toMatch(/\d+ of \d+ compared columns drifted/);
    expect(view.querySelectorAll('ew-chart').length).toBeGreaterThanOrEqual(2);
    // Latency quantiles: the baseline has the column but no values; the current ones are the API's.
    const lat = drift.columns!['health.latency_ms'];
    if (lat.kind !== 'numeric') throw new Error('latency is numeric');
    const p99 = [...view.querySelectorAll('#health-h ~ * tr')].find((tr) => text(tr.querySelector('th')!) === 'p99')!;
    expect(text(p99.children[1] as HTMLElement)).toBe('—');
    expect(Number(text(p99.children[2] as HTMLElement))).toBeGreaterThan(2);
    // The latency histogram reads on a log value axis (every latency is positive).
    const latChart = await waitFor(() => {
      const dist = [...view.querySelectorAll<HTMLElement>('ew-distribution')].find((e) => e.getAttribute('name') === 'health.latency_ms');
      const chart = dist?.shadowRoot?.querySelector('ew-chart') as
        | (HTMLElement & { plot?: { scales: Record<string, { distr?: number }> } })
        | null;
      return chart?.plot && chart;
    }, 'the latency histogram drawn');
    expect(latChart.plot!.scales.x.distr).toBe(3);
    expect(text(view.querySelector('#perf-h')!.parentElement!)).toContain('true \\ predicted');
    // Accuracy and recall from the raw labelled rows the seed uploaded (all inside the last hour).
    const labelled: string[][] = [];
    for (let w = 0; w < CHURN_WINDOWS; w++) {
      for (let dv = 0; dv < CHURN_DEVICES; dv++) {
        for (const row of churnRows(w * 100 + dv, CHURN_ROWS, churnShift(dv), true)) {
          const pair = row['feedback.scores.confusion'];
          if (pair) labelled.push(pair.split('|'));
        }
      }
    }
    const correct = labelled.filter(([t, p]) => t === p).length;
    expect(text(view.querySelector('[data-metric="labelled"]')!)).toBe(labelled.length.toLocaleString('en-US'));
    expect(text(view.querySelector('[data-metric="accuracy"]')!)).toBe(percent(correct / labelled.length));
    const churned = labelled.filter(([t]) => t === 'churn');
    const recall = churned.filter(([, p]) => p === 'churn').length / churned.length;
    expect(text(view.querySelector('tr[data-class="churn"]')!.children[2] as HTMLElement)).toBe(percent(recall));
    const segs = [...view.querySelectorAll('#seg-h ~ * a')].map((a) => text(a));
    expect(segs).toEqual(['region=eu', 'region=us']);
    await waitFor(() => deepAll('ew-chart').every((ch) => (ch as unknown as { plot?: unknown }).plot), 'charts drawn');
    await shot('model-laptop');
    await shot('model-phone', PHONE);
  });

  it('shows each predicted class’s share per step, from the counts of exactly that step’s rows', async () => {
    // The seed's ten windows, one per 5-minute step of this hour; the last two steps have no uploads.
    const from = churnWindowStart(c.seededAt, 0);
    mount(conn(), `#/models/churn/versions/1.0.0?from=${from}&to=${from + 3_600_000}`);
    // The steps table (the chart's legend is a table too).
    const steps = () => within('ew-class-shares', 'ew-steps-table')?.shadowRoot;
    const rows = await waitFor(() => {
      const r = [...(steps()?.querySelectorAll<HTMLElement>('tbody tr') ?? [])];
      return r.length === 12 && r;
    }, 'twelve steps of class shares');
    // Truth: the predicted classes of the raw rows each device recorded in window w.
    const truth = Array.from({ length: CHURN_WINDOWS }, (_, w) => {
      const n: Record<string, number> = {};
      for (let dv = 0; dv < CHURN_DEVICES; dv++) {
        for (const row of churnRows(w * 100 + dv, CHURN_ROWS, churnShift(dv), true))
          n[row['scores.predicted']] = (n[row['scores.predicted']] ?? 0) + 1;
      }
      return n;
    });
    const head = [...steps()!.querySelectorAll<HTMLElement>('thead th')].map((th) => text(th));
    const classes = head.slice(2, -1);
    expect([...classes].sort()).toEqual(['churn', 'stay']);
    expect(head.at(-1)).toBe('predictions');
    for (let w = 0; w < 12; w++) {
      const cells = [...rows[w].children].map((td) => text(td as HTMLElement));
      if (w >= CHURN_WINDOWS) {
        // Nothing was uploaded in these steps: "no data", not "fewer than k devices".
        expect(cells[1]).toBe('no data');
        continue;
      }
      const total = CHURN_DEVICES * CHURN_ROWS;
      expect(cells.at(-1)).toBe(count(total));
      classes.forEach((cl, j) => expect(cells[2 + j]).toBe(`${percent((truth[w][cl] ?? 0) / total)} (${count(truth[w][cl] ?? 0)})`));
    }
    // The chart draws the same shares, stacked from the bottom band up, and is labelled for screen readers.
    const chart = await waitFor(
      () => within<HTMLElement & { plot?: { data: (number | null)[][]; series: { label?: string }[] } }>('ew-class-shares', 'ew-chart'),
      'the shares chart',
    );
    await waitFor(() => chart.plot, 'the shares chart drawn');
    expect(chart.plot!.series.slice(1).map((x) => x.label)).toEqual(classes);
    const bottom = chart.plot!.data[1];
    for (let w = 0; w < CHURN_WINDOWS; w++) {
      expect(bottom[w]).toBeCloseTo((truth[w][classes[0]] ?? 0) / (CHURN_DEVICES * CHURN_ROWS), 12);
      expect(chart.plot!.data[2][w]).toBeCloseTo(1, 12);
    }
    expect(bottom.slice(CHURN_WINDOWS)).toEqual([null, null]);
    expect(chart.shadowRoot!.querySelector('[role="img"]')!.getAttribute('aria-label')).toBe(
      `scores.predicted: share of each predicted class per 5 minute step, stacked (${classes.join(', ')})`,
    );
    // Confidence per step from the same route: its median within one grid bin (0.01) of the raw rows' own.
    const conf = deepAll('ew-steps-table').find((t) => t.getAttribute('summary') === 'scores.confidence per step')!;
    const medians = [...conf.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => text(tr.children[3] as HTMLElement));
    for (let w = 0; w < CHURN_WINDOWS; w++) {
      const values: number[] = [];
      for (let dv = 0; dv < CHURN_DEVICES; dv++)
        for (const row of churnRows(w * 100 + dv, CHURN_ROWS, churnShift(dv), true)) values.push(row['scores.confidence']);
      values.sort((a, b) => a - b);
      expect(Math.abs(Number(medians[w]) - values[Math.floor(0.5 * (values.length - 1))])).toBeLessThanOrEqual(0.011);
    }
    await waitFor(() => deepAll('ew-chart').every((ch) => (ch as unknown as { plot?: unknown }).plot), 'charts drawn');
    await shot('model-shares-laptop');
    await shot('model-shares-phone', PHONE);
  });

  it('takes the range and the refresh period from the picker, into the URL and local storage', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0');
    await waitFor(() => within('ew-model-view', 'h1'), 'the model view');
    const [range, refresh] = allWithin<HTMLSelectElement>('ew-range-picker', 'select');
    await userEvent.selectOptions(range, '6h');
    await waitFor(() => location.hash === '#/models/churn/versions/1.0.0?range=6h', 'the range in the URL');
    const sub = await waitFor(() => within('ew-model-view', '.sub'), 'the reloaded view');
    const [from, to] = text(sub)
      .split(' · ')[0]
      .split(' – ')
      .map((t) => Date.parse(t.replace(/(\d+) (\w+) (\d+), /, '$2 $1 $3 ')));
    expect(to - from).toBe(6 * 3_600_000);
    await userEvent.selectOptions(refresh, '60');
    expect(localStorage.getItem('edgewatch.dashboard.refresh')).toBe('60');
    await userEvent.selectOptions(refresh, '0');
    // Until a period is chosen, auto-refresh is on, every 15 s; "off" is remembered.
    localStorage.removeItem('edgewatch.dashboard.refresh');
    mount(conn(), '#/models/churn/versions/1.0.0');
    await waitFor(() => within('ew-model-view', 'h1'), 'the model view again');
    expect(allWithin<HTMLSelectElement>('ew-range-picker', 'select')[1].value).toBe('15');
    localStorage.setItem('edgewatch.dashboard.refresh', '0');
  });

  it('shows 95% error bars on the counts of private-mode uploads', async () => {
    // The seed's noisy uploads, five hours ago: every count cell carries one draw per upload, of
    // variance 2q/(1−q)² with q = e^(−1/b); the 95% half-width is 1.96·σ.
    const at = privateWindowStart(Date.now());
    mount(conn(), `#/models/churn/versions/1.0.0?from=${at - 3_600_000}&to=${at + 3_600_000}`);
    const perf = await waitFor(() => within('ew-model-view', '#perf-h')?.parentElement, 'the performance panel');
    const q = Math.exp(-1 / PRIVATE_NOISE_SCALE);
    const cell = Math.sqrt((PRIVATE_DEVICES * 2 * q) / (1 - q) ** 2);
    const view = deep('ew-model-view')!.shadowRoot!;
    expect(text(view.querySelector('.note')!)).toContain(`within ${num(1.96 * cell, 2)} of the true one`);
    // Two classes: the labelled total sums four confusion cells, so twice the cell's σ.
    expect(text(view.querySelector('[data-metric="labelled"]')!)).toMatch(new RegExp(` ± ${num(1.96 * 2 * cell, 2).replace('.', '\\.')}$`));
    // Each class's support sums two cells; the confusion table shows one cell per entry.
    const support = [...perf.querySelectorAll('tr[data-class] td:last-child')].map((td) => text(td));
    expect(support).toHaveLength(2);
    for (const t of support) expect(t.endsWith(` ± ${num(1.96 * Math.SQRT2 * cell, 2)}`)).toBe(true);
    const cells = [...perf.querySelectorAll('tr:not([data-class]) td')].map((td) => text(td));
    expect(cells).toHaveLength(4);
    for (const t of cells) expect(t.endsWith(` ± ${num(1.96 * cell, 2)}`)).toBe(true);
  });

  it('tells "no data" from "fewer than k devices"', async () => {
    // Three hours ago nothing was uploaded: no data.
    const to = Date.now() - 3 * 3_600_000;
    expect((await api.profile('churn', '1.0.0', { from: to - 3_600_000, to })).uploads).toBe(0);
    mount(conn(), `#/models/churn/versions/1.0.0?from=${to - 3_600_000}&to=${to}`);
    const empty = await waitFor(() => deep('ew-state[kind="empty"]'), 'the empty state');
    expect(empty.getAttribute('message')).toMatch(/^No data: nothing was uploaded in this range/);
    // tiny@0.1.0 uploads from fewer than k devices.
    const now = Date.now();
    const tiny = await api.profile('tiny', '0.1.0', { from: now - 3_600_000, to: now });
    // Suppressed with uploads in the range: no counts at all (a count would say who was there).
    expect(tiny).toMatchObject({ suppressed: true });
    expect(tiny.uploads).toBeUndefined();
    mount(conn(), '#/models/tiny/versions/0.1.0');
    const few = await waitFor(() => deep('ew-state[kind="empty"]'), 'the empty state of tiny');
    expect(few.getAttribute('message')).toContain('Fewer than 3 devices');
  });

  it('reports a model version the collector does not know', async () => {
    mount(conn(), '#/models/nope/versions/9');
    const err = await waitFor(() => deep('ew-state[kind="error"]'), 'an error');
    expect(err.getAttribute('message')).toBe('the collector knows no model version nope@9');
  });

  it('is keyboard navigable: Tab reaches a column link, Enter opens the column view, focus lands on its heading', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0');
    await waitFor(() => within('ew-drift-table', 'tr[data-column="age"] a'), 'the age link');
    for (let i = 0; i < 80 && (activeDeep() as HTMLAnchorElement | null)?.textContent !== 'age'; i++) await userEvent.tab();
    expect(activeDeep()?.textContent).toBe('age');
    await userEvent.keyboard('{Enter}');
    await waitFor(() => location.hash.startsWith('#/models/churn/versions/1.0.0/columns/age'), 'the column route');
    const h1 = await waitFor(() => within('ew-column-view', 'h1'), 'the column heading');
    await waitFor(() => activeDeep() === h1, 'focus on the column heading');
  });
});

describe('column', () => {
  it('overlays baseline and current, follows the verdict over time, and breaks it down by segment', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0/columns/age');
    const view = (await waitFor(() => within('ew-column-view', 'h1') && deep('ew-column-view')!.shadowRoot, 'the column view'))!;
    const dist = await waitFor(
      () => within<HTMLElement & { plot?: { series: { label?: string }[] } }>('ew-distribution', 'ew-chart'),
      'the histogram',
    );
    await waitFor(() => dist.plot, 'the histogram drawn');
    expect(dist.plot!.series.map((s) => s.label)).toEqual(['age', 'baseline', 'current']);
    // One share axis for both sides; no bin holds more than all the values.
    const ys = dist.plot as unknown as { data: (number | null)[][]; series: { scale?: string }[] };
    expect(ys.series[1].scale).toBe(ys.series[2].scale);
    for (const v of [...ys.data[1], ...ys.data[2]]) if (v !== null) expect(v).toBeLessThanOrEqual(1);
    // Quantile table: the API's numbers, formatted.
    const now = Date.now();
    const d = (await api.drift('churn', '1.0.0', { from: now - 3_600_000, to: now }, 3_600_000)).points[0].columns!.age;
    if (d.kind !== 'numeric') throw new Error('age is numeric');
    const q = [...view.querySelectorAll('#q-h ~ * tr')].find((tr) => text(tr.querySelector('th')!) === 'p50')!;
    expect(text(q.children[1] as HTMLElement)).toBe(num(d.quantiles['0.5'][0]));
    expect(text(view.querySelector('.verdict')!)).toContain('drifted');
    // Segment breakdown: Europe drifted, the US not.
    const seg = await waitFor(() => {
      const r = allWithin('ew-segment-breakdown', 'tr[data-segment]');
      return r.length === 2 && r;
    }, 'two segment rows');
    expect(seg.map((r) => [r.dataset.segment, r.classList.contains('drifted')])).toEqual([
      ['{"region":"eu"}', true],
      ['{"region":"us"}', false],
    ]);
    await waitFor(
      () => deepAll('ew-chart').length >= 2 && deepAll('ew-chart').every((ch) => (ch as unknown as { plot?: unknown }).plot),
      'charts drawn',
    );
    await shot('column-laptop');
    await shot('column-phone', PHONE);
    // Each step of the timeline opens its own window (the window layer).
    const step = await waitFor(() => allWithin<HTMLAnchorElement>('ew-steps-table', 'a').at(-1), 'step links');
    const window = new URLSearchParams(step.getAttribute('href')!.split('?')[1]);
    expect(Number(window.get('to')) - Number(window.get('from'))).toBe(5 * 60_000);
    // A segment link narrows the view through the URL.
    within<HTMLAnchorElement>('ew-segment-breakdown', 'tr[data-segment] a')!.click();
    await waitFor(() => location.hash.includes('segment='), 'the segment in the URL');
    expect(decodeURIComponent(location.hash)).toContain('segment={"region":"eu"}');
  });
});

describe('column kinds', () => {
  it('draws a categorical column as bars with the counts the collector reports', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0/columns/plan');
    const chart = await waitFor(
      () => within<HTMLElement & { plot?: { series: { label?: string }[] } }>('ew-distribution', 'ew-chart'),
      'the bars',
    );
    await waitFor(() => chart.plot, 'the bars drawn');
    expect(chart.plot!.series.map((s) => s.label)).toEqual(['value', 'baseline', 'current']);
    const now = Date.now();
    const profile = await api.profile('churn', '1.0.0', { from: now - 3_600_000, to: now });
    const plan = profile.columns!.plan;
    if (plan.kind !== 'categorical') throw new Error('plan is categorical');
    const rows = allWithin('ew-distribution', 'details tbody tr').map((tr) => [
      text(tr.children[0] as HTMLElement),
      text(tr.children[2] as HTMLElement),
    ]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(plan.items.map((i) => [i.value, i.count.toLocaleString('en-US')])));
    // Both sides as shares of their own totals, on one axis: the current bar of each value is
    // its count over the current values.
    const plot = (chart as unknown as { plot: { data: (number | null)[][]; series: { scale?: string }[] } }).plot;
    expect(plot.series[1].scale).toBe(plot.series[2].scale);
    const labels = rows.map(([v]) => v);
    labels.forEach((v, i) =>
      expect(plot.data[2][i]).toBeCloseTo(plan.items.find((x) => x.value === v)!.count / (plan.count - plan.missing), 12),
    );
    expect(text(within('ew-column-view', '#s-h')!.parentElement!)).toContain('χ² p-value');
    await shot('column-categorical-laptop');
  });

  it('shows the current quantiles of a column without a baseline, the baseline marked absent', async () => {
    // vision@3.0.0 has no baseline; its four devices uploaded one window 30 min before the seed.
    const from = churnWindowStart(c.seededAt, 0);
    mount(conn(), `#/models/vision/versions/3.0.0/columns/income?from=${from}&to=${from + 3_600_000}`);
    const view = (await waitFor(() => within('ew-column-view', 'h1') && deep('ew-column-view')!.shadowRoot, 'the column view'))!;
    const table = await waitFor(
      () => [...view.querySelectorAll('#q-h ~ * tr')].find((tr) => text(tr.querySelector('th')!) === 'p50') && view,
      'the quantile rows',
    );
    const incomes = Array.from({ length: 4 }, (_, d) => makeRows(500 + d, 80).map((r) => r.income))
      .flat()
      .sort((a, b) => a - b);
    const api = (
      await new CollectorClient(c.url, c.readKey).summaries('vision', '3.0.0', { from, to: from + 3_600_000 }, 3_600_000, ['income'])
    ).points[0];
    const q = api.columns!.income.quantiles!;
    for (const [label, p] of [
      ['p50', '0.5'],
      ['p90', '0.9'],
      ['p99', '0.99'],
    ] as const) {
      const tr = [...table.querySelectorAll('#q-h ~ * tr')].find((r) => text(r.querySelector('th')!) === label)!;
      expect(text(tr.children[1] as HTMLElement)).toBe('no baseline');
      const shown = text(tr.children[2] as HTMLElement);
      expect(shown).toBe(num(q[p]));
      // The collector's quantile is within the sketch's relative error (1.08%) of the raw rows' exact
      // one (rank q·(n−1)); what is shown adds the rounding to three significant digits.
      const exact = incomes[Math.floor(Number(p) * (incomes.length - 1))];
      expect(Math.abs(q[p]! - exact)).toBeLessThanOrEqual(0.0109 * exact);
      expect(Math.abs(Number(shown.replace(/,/g, '')) - exact)).toBeLessThanOrEqual(0.0159 * exact);
    }
    const values = [...table.querySelectorAll('#q-h ~ * tr')].find((r) => text(r.querySelector('th')!) === 'values')!;
    expect([text(values.children[1] as HTMLElement), text(values.children[2] as HTMLElement)]).toEqual([
      'no baseline',
      count(incomes.length),
    ]);
    expect(text(table.querySelector('#q-h')!.parentElement!)).toContain('No baseline for this column: current values only.');
    await shot('column-no-baseline-phone', PHONE);
  });

  it('draws a fixed-grid column from its edges', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0/columns/scores.confidence');
    const chart = await waitFor(() => within<HTMLElement & { plot?: { data: number[][] } }>('ew-distribution', 'ew-chart'), 'the overlay');
    await waitFor(() => chart.plot, 'the overlay drawn');
    const now = Date.now();
    const profile = await api.profile('churn', '1.0.0', { from: now - 3_600_000, to: now });
    const grid = profile.columns!['scores.confidence'];
    if (grid.kind === 'categorical' || !grid.edges) throw new Error('scores.confidence is a grid');
    // Every edge of the grid is a bin boundary on the x axis.
    const xs = new Set(chart.plot!.data[0]);
    expect(grid.edges.every((e) => xs.has(e))).toBe(true);
  });
});

describe('alerts', () => {
  it('lists the firing alert and its link opens the column view at the alert’s window', async () => {
    mount(conn(), '#/alerts');
    const alert = (await api.alerts('firing')).alerts.find((a) => a.rule === 'age-drift')!;
    const row = await waitFor(() => within<HTMLElement>('ew-alert-list', `tr[data-alert="${alert.id}"]`), 'the firing age-drift alert');
    expect(row.dataset.state).toBe('firing');
    expect(text(row)).toContain('churn@1.0.0 · age');
    (row.querySelector('a.view-link') as HTMLAnchorElement).click();
    const w = alert.evidence.window!;
    await waitFor(
      () => location.hash === `#/models/churn/versions/1.0.0/columns/age?from=${w.from}&to=${w.to}`,
      'the alert’s view in the URL',
    );
    await waitFor(() => within('ew-column-view', 'h1'), 'the column view');
    expect(text(deep('ew-column-view')!.shadowRoot!.querySelector('.sub')!)).toContain('numeric column');
  });

  it('shows the detail with evidence and an empty list for resolved alerts', async () => {
    const alert = (await api.alerts('firing')).alerts.find((a) => a.rule === 'age-drift')!;
    mount(conn(), `#/alerts/${alert.id}`);
    const h1 = await waitFor(() => within('ew-alert-detail', 'h1'), 'the alert detail');
    expect(text(h1)).toBe(`Alert #${alert.id}: age-drift`);
    const detail = deep('ew-alert-detail')!.shadowRoot!;
    expect(text(detail.querySelector('#ev-h')!.parentElement!)).toContain('drifted: Wasserstein / std');
    expect(alert.evidence.window!.name).toBeTruthy();
    expect(text(detail.querySelector('#ev-h')!.parentElement!)).toContain(`rolling ${alert.evidence.window!.name}: `);
    expect(detail.querySelector<HTMLAnchorElement>('#open-view')!.getAttribute('href')).toContain('/columns/age?from=');
    await shot('alert-detail-laptop');

    mount(conn(), '#/alerts?state=resolved');
    const empty = await waitFor(() => within('ew-alerts-view', 'ew-state[kind="empty"]'), 'the empty resolved list');
    expect(empty.getAttribute('message')).toBe('No resolved alerts.');
  });
});

describe('served by the collector', () => {
  it('runs from the production build at /dashboard/, with the connection taken from the URL', async () => {
    const served = await commands.openServedDashboard(c.url, c.readKey);
    expect(served.statuses).toEqual(['vision:failing', 'fraud:stale', 'churn:drifting', 'ranker:healthy', 'tiny:unknown']);
    // The key moved to local storage and out of the address bar.
    expect(served.storedKey).toBe('stored');
    expect(served.location).not.toContain('key=');
    expect(served.location).toContain('/dashboard/?collector=');
  });
});

describe('incidents', () => {
  it('lists the incident, shows its signals as the API does, and acknowledges it', async () => {
    const id = await commands.openChurnIncident(c.url);
    const detail = await api.incident(id);
    expect(detail.incident.signals.length).toBeGreaterThan(0);
    mount(conn(), '#/incidents');
    const row = await waitFor(() => deep(`tr[data-incident="${id}"]`), 'the incident row');
    expect(text(row)).toContain('churn@1.0.0');
    expect(text(row)).toContain(detail.incident.columns.join(', '));
    await shot('incidents-phone', PHONE);
    // On a phone each row is a card: every cell, the columns included, is on screen.
    await page.viewport(PHONE.width, PHONE.height);
    const columns = [...row.querySelectorAll<HTMLElement>('td')].find((td) => td.dataset.label === 'Columns')!;
    const box = columns.getBoundingClientRect();
    expect(box.right).toBeLessThanOrEqual(PHONE.width);
    expect(box.width).toBeGreaterThan(0);
    await page.viewport(LAPTOP.width, LAPTOP.height);
    mount(conn(), `#/incidents/${id}`);
    const rows = await waitFor(() => {
      const r = deepAll('tr[data-signal]');
      return r.length === detail.incident.signals.length && r;
    }, 'one row per signal');
    for (const s of detail.incident.signals) {
      const cells = [...rows.find((r) => r.dataset.signal === String(s.alert))!.children].map((td) => text(td as HTMLElement));
      expect(cells[1]).toBe(s.column);
      // The statistic behind the verdict, with its value and threshold.
      expect(cells[4]).toBe(num(s.value));
      expect(cells[5]).toBe(`${s.op} ${num(s.threshold)}`);
    }
    await shot('incident-detail');
    const by = deep<HTMLInputElement>('#by')!;
    by.value = 'alice';
    deep<HTMLButtonElement>('#ack')!.click();
    await waitFor(() => text(deep('#incident-state')!) === 'acknowledged', 'the incident acknowledged');
    expect((await api.incident(id)).incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    await shot('incident-acknowledged-phone', PHONE);
    // The model view marks the incident on its drift timeline, with a link to it.
    mount(conn(), '#/models/churn/versions/1.0.0');
    const marker = await waitFor(() => within('ew-model-view', `#markers a[data-incident="${id}"]`), 'the incident marker');
    expect(marker.getAttribute('href')).toBe(`#/incidents/${id}`);
    await waitFor(() => deepAll('ew-chart').every((ch) => (ch as unknown as { plot?: unknown }).plot), 'charts drawn');
    await shot('model-incident-marker');
    // On a phone every signal's statistic and threshold stay on screen.
    await page.viewport(PHONE.width, PHONE.height);
    for (const td of deepAll<HTMLElement>('tr[data-signal] td')) expect(td.getBoundingClientRect().right).toBeLessThanOrEqual(PHONE.width);
    await page.viewport(LAPTOP.width, LAPTOP.height);
  });
});

describe('drift report', () => {
  it("saves the collector's HTML report of the range shown", async () => {
    const blobs: Blob[] = [];
    const create = URL.createObjectURL;
    URL.createObjectURL = (b: Blob | MediaSource) => {
      if (b instanceof Blob) blobs.push(b);
      return create(b);
    };
    try {
      mount(conn(), '#/models/churn/versions/1.0.0?range=24h');
      const button = await waitFor(() => deep<HTMLButtonElement>('#drift-report'), 'the report button');
      button.click();
      await waitFor(() => blobs.length === 1, 'the report saved');
      const html = await blobs[0].text();
      expect(blobs[0].type).toBe('text/html');
      expect(html).toContain('<h1>Drift report: churn@1.0.0</h1>');
      // The figures of the range the view shows: the same drifted count as the API's.
      const sub = text(within('ew-model-view', '.sub')!);
      const [from, to] = sub
        .split(' · ')[0]
        .split(' – ')
        .map((t) => Date.parse(t.replace(/(\d+) (\w+) (\d+), /, '$2 $1 $3 ')));
      const drift = await api.drift('churn', '1.0.0', { from, to: to + 60_000 }, to + 60_000 - from);
      expect(html).toContain(`${drift.points[0].driftedColumns} of`);
    } finally {
      URL.createObjectURL = create;
    }
  });
});

describe('which segment and SLOs', () => {
  it("ranks a column's segments by their contribution, as the collector does", async () => {
    mount(conn(), '#/models/churn/versions/1.0.0/columns/age?range=24h');
    const table = await waitFor(
      () => within('ew-column-view', 'ew-segment-ranking')?.shadowRoot?.querySelector<HTMLElement>('table[data-ranking="age"]'),
      'the ranking',
    );
    const sub = text(within('ew-column-view', '.sub')!);
    expect(sub).toBeTruthy();
    const rows = [...table.querySelectorAll<HTMLElement>('tbody tr')];
    const now = Date.now();
    const truth = await api.segmentRanking('churn', '1.0.0', { from: now - 24 * 3_600_000, to: now }, 'age');
    expect(rows.map((r) => r.dataset.segment)).toEqual(truth.segments.map((x) => JSON.stringify(x.segment)));
    rows.forEach((r, i) => {
      const c = truth.segments[i].driftContribution;
      expect(text(r.querySelector('td[data-label="Contribution"]') as HTMLElement)).toBe(c === null ? 'n/a' : num(c));
    });
    await shot('column-ranking');
  });

  it("shows an SLO's budget left and burn rates on the model view", async () => {
    await commands.createChurnSlo(c.url);
    const { slos } = await api.slos();
    const st = slos.find((x) => x.name === 'churn-fast')!.versions.find((x) => x.version === '1.0.0')!;
    // The seed's latencies are within the SLO's period.
    expect(st.budgetRemaining).not.toBeNull();
    mount(conn(), '#/models/churn/versions/1.0.0');
    const row = await waitFor(
      () => within('ew-model-view', 'ew-slo-panel')?.shadowRoot?.querySelector<HTMLElement>('tr[data-slo="churn-fast"]'),
      'the SLO row',
    );
    const cell = (label: string) => text(row.querySelector(`td[data-label="${label}"]`) as HTMLElement);
    expect(cell('Budget left')).toBe(st.budgetRemaining === null ? 'no data' : percent(st.budgetRemaining));
    expect(cell('Burn 1h/5m')).toBe(st.burn['1h/5m'] === null ? 'no data' : `${num(st.burn['1h/5m'])}×`);
    expect(cell('Burn 3d/6h')).toBe(st.burn['3d/6h'] === null ? 'no data' : `${num(st.burn['3d/6h'])}×`);
    await shot('model-slo');
  });
});

describe('zoom', () => {
  it('sets the range to the window dragged across a time chart', async () => {
    mount(conn(), '#/models/churn/versions/1.0.0/columns/age');
    const chart = await waitFor(() => {
      const charts = deepAll<HTMLElement & { plot?: uPlotLike }>('ew-chart').filter((x) => x.plot?.scales.x.time);
      return charts[0]?.plot && charts[0];
    }, 'a time chart drawn');
    const u = chart.plot!;
    // Drag across the middle half of the plotting area.
    const left = u.bbox.width / devicePixelRatio / 4;
    const width = u.bbox.width / devicePixelRatio / 2;
    const from = Math.round(u.posToVal(left, 'x'));
    const to = Math.round(u.posToVal(left + width, 'x'));
    u.setSelect({ left, top: 0, width, height: 10 }, true);
    await waitFor(() => location.hash.includes(`from=${from}`) && location.hash.includes(`to=${to}`), 'the dragged window in the URL');
    // The view reloads over exactly that window.
    await waitFor(() => text(within('ew-column-view', '.sub')).includes(timeRange(from, to)), 'the view over the dragged window');
  });
});

type uPlotLike = {
  scales: Record<string, { time?: boolean }>;
  bbox: { width: number };
  posToVal(pos: number, scale: string): number;
  setSelect(s: { left: number; top: number; width: number; height: number }, fire: boolean): void;
};

type Plotted = HTMLElement & {
  plot?: uPlotLike & {
    data: (number | null)[][];
    axes: { _splits?: number[]; _values?: string[] }[];
    valToPos(v: number, scale: string): number;
  };
};

/** The canvas width of a time-axis label, in the axis's font. */
function labelWidth(label: string): number {
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.font = '12px system-ui, sans-serif';
  return Math.max(...label.split('\n').map((l) => ctx.measureText(l).width));
}

describe('canary and performance over time', () => {
  // Every window of the seed: the canary's start and its windows lie inside.
  let range: { from: number; to: number };
  const MIN = 60_000;
  beforeAll(async () => {
    await commands.seedChurnCanary(c.url, c.seededAt);
    range = { from: churnWindowStart(c.seededAt, 0), to: churnWindowStart(c.seededAt, CHURN_WINDOWS) };
  });
  const rangeQuery = () => `from=${range.from}&to=${range.to}`;

  it('shows the verdict with its evidence and both versions’ metadata, as the collector compares them', async () => {
    mount(conn(), `#/models/churn/versions/1.1.0/canary?${rangeQuery()}`);
    const verdict = await waitFor(() => within<HTMLElement>('ew-canary-view', '#verdict'), 'the verdict');
    const truth = await api.canary('churn', '1.1.0', '1.0.0', range);
    expect(verdict.dataset.verdict).toBe(truth.verdict);
    const view = deep('ew-canary-view')!.shadowRoot!;
    expect([...view.querySelectorAll('#reasons li')].map((li) => text(li))).toEqual(truth.reasons);
    // Failures from the raw rows: one call in twenty on the canary, none on 1.0.0.
    let calls = 0;
    let failures = 0;
    for (let w = CANARY_FIRST_WINDOW; w < CHURN_WINDOWS; w++)
      for (let d = 0; d < CANARY_DEVICES; d++)
        for (const r of canaryRows(w, d)) {
          calls++;
          if (r['health.failure']) failures++;
        }
    const cells = (row: string) => [...view.querySelectorAll(`#sides tr[data-row="${row}"] td`)].map((td) => text(td));
    expect(cells('failureRate')).toEqual([percent(failures / calls), percent(0)]);
    expect(cells('failures')).toEqual([`${count(failures)} of ${count(calls)}`, `0 of ${count(truth.stable.health!.calls)}`]);
    expect(cells('devices')).toEqual([String(CANARY_DEVICES), String(CHURN_DEVICES)]);
    expect(cells('latency-0.99')).toEqual([num(truth.canary.latency!['0.99']), num(truth.stable.latency!['0.99'])]);
    expect(cells('scores-accuracy')).toEqual([
      percent(truth.canary.outputs!.scores.accuracy),
      percent(truth.stable.outputs!.scores.accuracy),
    ]);
    expect(cells('scores-ece')[0]).toBe(num(truth.canary.outputs!.scores.ece));
    // A failure rate 5 points above the peer's is a rollback, whatever else the evidence says.
    expect(truth.verdict).toBe('rollback');
    // Every compared column, with the core's verdict.
    const shown = [...view.querySelectorAll<HTMLElement>('#canary-columns tr[data-column]')];
    expect(shown.map((r) => r.dataset.column).sort()).toEqual(Object.keys(truth.columns!).sort());
    for (const r of shown) expect(r.classList.contains('drifted')).toBe(truth.columns![r.dataset.column!].drifted.drifted);
    // Grouped as the model view groups columns.
    const groupOfRow = (c: string) =>
      (view.querySelector(`#canary-columns tr[data-column="${c}"]`)!.parentElement as HTMLElement).dataset.group;
    expect([
      groupOfRow('age'),
      groupOfRow('scores.predicted'),
      groupOfRow('health.failure'),
      groupOfRow('feedback.scores.confusion'),
    ]).toEqual(['inputs', 'outputs', 'health', 'feedback']);
    expect(text(view.querySelector('#drifted-inputs')!)).toBe(truth.driftedInputs!.join(', ') || 'none');
    // The metadata as it was PUT; 1.0.0 has no rollback target.
    const meta = (field: string) => [...view.querySelectorAll(`#metadata tr[data-field="${field}"] td`)].map((td) => text(td));
    expect(meta('trainingSnapshot')).toEqual([CANARY_METADATA.trainingSnapshot, 'churn-train-2026-10-01']);
    expect(meta('rollbackTarget')).toEqual(['1.0.0', 'not set']);
    expect(meta('criticality')).toEqual(['high', 'high']);
    await shot('canary-laptop');
    await shot('canary-phone', PHONE);
    // Picking the peer puts it in the URL.
    const against = view.querySelector<HTMLSelectElement>('#canary-against')!;
    against.value = '1.0.0';
    against.dispatchEvent(new Event('change'));
    await waitFor(() => location.hash.includes('/canary/against/1.0.0'), 'the peer in the URL');
  });

  it('says so when the version has no rollback target and none is picked', async () => {
    mount(conn(), `#/models/churn/versions/1.0.0/canary?${rangeQuery()}`);
    const empty = await waitFor(() => within('ew-canary-view', 'ew-state[kind="empty"]'), 'the empty canary view');
    expect(empty.getAttribute('message')).toContain('no rollback target');
  });

  it('draws accuracy and calibration per step from exactly each step’s labelled rows, with the version marker', async () => {
    mount(conn(), `#/models/churn/versions/1.1.0?${rangeQuery()}`);
    const chart = await waitFor(() => {
      const el = within<HTMLElement>('ew-model-view', 'ew-performance-steps')?.shadowRoot?.querySelector('ew-chart') as Plotted | null;
      return el?.plot && el;
    }, 'the performance chart drawn');
    const step = timelineStep(range);
    const [xs, accuracy, ece] = chart.plot!.data;
    expect(xs).toEqual(Array.from({ length: Math.ceil((range.to - range.from) / step) }, (_, i) => range.from + i * step));
    const edges = Array.from({ length: 11 }, (_, i) => i / 10);
    const binOf = (x: number) => edges.filter((e) => e < x).length;
    const mid = (b: number) => (b === 0 ? 0 : b === 11 ? 1 : (edges[b - 1] + edges[b]) / 2);
    xs.forEach((x, i) => {
      const rows: ReturnType<typeof canaryRows> = [];
      for (let w = CANARY_FIRST_WINDOW; w < CHURN_WINDOWS; w++) {
        const start = churnWindowStart(c.seededAt, w);
        if (start >= x! && start < x! + step) for (let d = 0; d < CANARY_DEVICES; d++) rows.push(...canaryRows(w, d));
      }
      const labelled = rows.filter((r) => r['feedback.scores.confusion']);
      if (!labelled.length) {
        expect(accuracy[i], `step ${i}`).toBeNull();
        return;
      }
      const right = (r: (typeof rows)[number]) => {
        const [t, p] = (r['feedback.scores.confusion'] as string).split('|');
        return t === p;
      };
      expect(accuracy[i]).toBeCloseTo(labelled.filter(right).length / labelled.length, 12);
      const n = new Array(12).fill(0);
      const k = new Array(12).fill(0);
      for (const r of labelled) {
        const b = binOf(r['scores.confidence'] as number);
        n[b]++;
        if (right(r)) k[b]++;
      }
      const truth = n.reduce((e, nb, b) => (nb ? e + (nb / labelled.length) * Math.abs(k[b] / nb - mid(b)) : e), 0);
      expect(ece[i]).toBeCloseTo(truth, 9);
    });
    // When 1.1.0 began reporting, marked and listed on its charts and on 1.0.0's.
    const first = churnWindowStart(c.seededAt, CANARY_FIRST_WINDOW);
    const marker = within('ew-model-view', '#markers [data-version="1.1.0"]');
    expect(marker).toBeTruthy();
    expect((await api.models()).models.find((m) => m.version === '1.1.0')!.firstWindowAt).toBe(first);
    // The calibration SLO: its ECE bound, and its budget as the collector counts it.
    const slo = await waitFor(
      () => within('ew-model-view', 'ew-slo-panel')?.shadowRoot?.querySelector<HTMLElement>('tr[data-slo="churn-calibrated"]'),
      'the calibration SLO row',
    );
    const st = (await api.slos()).slos.find((x) => x.name === 'churn-calibrated')!.versions[0];
    expect(text(slo.querySelector('td[data-label="Indicator"]')!)).toBe('calibration (ECE ≤ 0.05)');
    expect(text(slo.querySelector('td[data-label="Budget left"]')!)).toBe(percent(st.budgetRemaining!));
    await shot('model-performance-steps');
    mount(conn(), `#/models/churn/versions/1.0.0?${rangeQuery()}`);
    await waitFor(() => within('ew-model-view', '#markers [data-version="1.1.0"]'), '1.1.0 marked on 1.0.0');
    await waitFor(() => deepAll<Plotted>('ew-chart').some((ch) => ch.plot), 'charts drawn');
    await shot('model-markers');
  });

  it('puts time ticks on step boundaries, labels apart, with seconds when a boundary is inside a minute', async () => {
    for (const [from, to] of [
      [range.from, range.to],
      // An alert-like window: starts and ends inside a minute.
      [range.from + 17_000, range.from + 17_000 + 12 * MIN],
    ]) {
      mount(conn(), `#/models/churn/versions/1.0.0/columns/age?from=${from}&to=${to}`);
      const chart = await waitFor(() => {
        const ch = deepAll<Plotted>('ew-chart').find((x) => x.plot?.scales.x.time);
        return ch?.plot?.axes[0]._splits?.length ? ch : undefined;
      }, 'a time chart drawn');
      const u = chart.plot!;
      const step = timelineStep({ from, to });
      const splits = u.axes[0]._splits!;
      const labels = u.axes[0]._values!;
      for (const t of splits) expect((t - from) % step, `tick ${t}`).toBe(0);
      expect(new Set(labels).size).toBe(labels.length);
      const seconds = from % MIN !== 0;
      for (const l of labels) expect(l.split('\n')[0], l).toMatch(seconds ? /^\d\d:\d\d:\d\d$/ : /^\d\d:\d\d$/);
      // Centred labels do not touch: each centre is at least a label's width from the next.
      const xs = splits.map((t) => u.valToPos(t, 'x'));
      for (let i = 1; i < xs.length; i++)
        expect(xs[i] - xs[i - 1], labels[i]).toBeGreaterThanOrEqual((labelWidth(labels[i]) + labelWidth(labels[i - 1])) / 2);
      await shot(seconds ? 'column-axis-seconds' : 'column-axis');
    }
  });
});
