// Errors, confidence and performance of a model version over the rolling window, on both
// back-ends: the snapshot's failure rate, confidence median, accuracy, ECE and ROC AUC reach
// /metrics and the alert rules with the values of the raw rows the devices recorded — counted from
// the rows, or computed from them independently of the core (the median: the core's quantile of
// all rows recorded at once) — and nothing of a version below k devices shows anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import type { ColumnSpec } from '../../src/core/types.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector, type Running } from './helpers/collector.ts';
import {
  argmax,
  CLASSES,
  expectedPerformance,
  FEEDBACK_COLUMNS,
  labelledRows,
  OUT,
  recordFeedback,
  type Labelled,
} from './helpers/feedback.ts';

const MIN = 60_000;
const KINDS = ['input', 'inference', 'output', 'recording'] as const;

/** The columns the edge runtime records for a three-class model with feedback (docs/edge.md). */
const COLUMNS: ColumnSpec[] = [
  { name: 'x', kind: 'numeric' },
  { name: `${OUT}.predicted`, kind: 'categorical', vocabulary: CLASSES },
  { name: `${OUT}.confidence`, kind: 'grid' },
  { name: 'health.latency_ms', kind: 'numeric' },
  { name: 'health.failure', kind: 'categorical', vocabulary: [...KINDS] },
  ...FEEDBACK_COLUMNS,
];

/** One device's window: successful batch-1 calls, failed calls, and labels for some predictions. */
interface Window {
  calls: Labelled[];
  latencies: number[];
  /** Failed calls: a kind, and a latency unless the call ran but could not be recorded. */
  failures: { kind: (typeof KINDS)[number]; latency?: number }[];
  labelled: Labelled[];
}

function makeWindow(seed: number, failures: number): Window {
  const calls = labelledRows(seed, 150);
  const latencies = calls.map((_, i) => 5 + ((i * 37 + seed) % 50));
  const f: Window['failures'] = [];
  for (let i = 0; i < failures; i++) {
    const kind = KINDS[i % 4];
    f.push(kind === 'recording' ? { kind } : { kind, latency: 100 + i });
  }
  return { calls, latencies, failures: f, labelled: calls.slice(0, 40) };
}

describe.each(BACKENDS)('model health, confidence and performance on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const windows: Window[] = [];

  async function upload(model: string, d: number, w: Window) {
    const p = core.profile({ columns: COLUMNS });
    try {
      p.recordNumbers(
        'x',
        w.calls.map((r) => r.scores[0]),
      );
      p.recordLabels(
        `${OUT}.predicted`,
        w.calls.map((r) => CLASSES[argmax(r.scores)]),
      );
      p.recordNumbers(
        `${OUT}.confidence`,
        w.calls.map((r) => Math.max(...r.scores)),
      );
      p.recordNumbers('health.latency_ms', [...w.latencies, ...w.failures.flatMap((f) => (f.latency === undefined ? [] : [f.latency]))]);
      p.recordLabels(
        'health.failure',
        w.failures.map((f) => f.kind),
      );
      recordFeedback(p, w.labelled);
      const start = now - 30 * MIN + d * MIN;
      p.meta = {
        model,
        modelVersion: '2',
        windowStart: String(start),
        windowEnd: String(start + MIN),
        deviceId: `device-${model}-${d}`,
        uploadId: `upload-${model}-${d}`,
      };
      const res = await post(`${c.url}/v1/ingest`, c.keys.ingest, p.toBytes());
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    } finally {
      p.dispose();
    }
  }

  /** The truth, from the raw rows of every window. */
  function truth() {
    const failures = windows.flatMap((w) => w.failures);
    const calls = windows.reduce((n, w) => n + w.calls.length, 0) + failures.length;
    const byKind = Object.fromEntries(KINDS.map((k) => [k, failures.filter((f) => f.kind === k).length]));
    const conf = core.profile({ columns: [{ name: 'c', kind: 'grid' }] });
    try {
      conf.recordNumbers(
        'c',
        windows.flatMap((w) => w.calls.map((r) => Math.max(...r.scores))),
      );
      const [median] = conf.quantiles('c', [0.5]);
      const perf = expectedPerformance(windows.flatMap((w) => w.labelled));
      return { calls, failures: failures.length, byKind, rate: failures.length / calls, median, perf };
    } finally {
      conf.dispose();
    }
  }

  const put = (name: string, body: Record<string, unknown>) =>
    fetch(`${c.url}/v1/alerts/rules/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, for: 1, severity: 'ticket', owner: 'team', ...body }),
    });

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend, { publicUrl: 'https://watch.example' });
    // Six devices, 12–17 failed calls each among 150 good ones: about 9% of calls fail.
    for (let d = 0; d < 6; d++) {
      const w = makeWindow(40 + d, 12 + d);
      windows.push(w);
      await upload('zoo', d, w);
    }
    // "few": four devices, every call failing — below k = 5, seen nowhere.
    for (let d = 0; d < 4; d++) await upload('few', d, makeWindow(80 + d, 150));
  });
  afterAll(() => c?.stop());

  it('exports calls, failed calls by kind, confidence median, accuracy, ECE and AUC per class', async () => {
    const t = truth();
    const m = (await get(`${c.url}/metrics`, undefined)).body as string;
    const num = (re: string) => Number(new RegExp(`^${re} (\\S+)$`, 'm').exec(m)?.[1]);
    // Every upload is in the last hour: both rolling windows hold all of them.
    for (const window of ['1h', '24h']) {
      const v = `project="alpha",model="zoo",version="2",segment="",window="${window}"`;
      expect(m).toContain(`edgewatch_model_calls{${v}} ${t.calls}`);
      expect(m).toContain(`edgewatch_model_failed_calls{${v}} ${t.failures}`);
      for (const k of KINDS) expect(m).toContain(`edgewatch_model_failed_calls_by_kind{${v},kind="${k}"} ${t.byKind[k]}`);
      const o = `${v},output="${OUT}"`;
      expect(num(`edgewatch_output_confidence_median\\{${o}\\}`)).toBe(t.median);
      expect(m).toContain(`edgewatch_output_labelled{${o}} ${6 * 40}`);
      expect(num(`edgewatch_output_accuracy\\{${o}\\}`)).toBeCloseTo(t.perf.accuracy, 12);
      expect(num(`edgewatch_output_ece\\{${o}\\}`)).toBeCloseTo(t.perf.ece, 12);
      for (const cls of CLASSES) expect(num(`edgewatch_output_auc\\{${o},class="${cls}"\\}`)).toBeCloseTo(t.perf.classes[cls].auc, 12);
    }
    // Nothing of the version below k devices.
    expect(m).not.toContain('model="few"');
  });

  it('observes failure rate, confidence and performance in rules, with the defaults routed to their owners', async () => {
    const t = truth();
    const defaults = await fetch(`${c.url}/v1/alerts/rules/defaults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owners: { data: 'data-team', platform: 'platform-team', model: 'ml-team' } }),
    });
    expect(defaults.status).toBe(200);
    const rules = ((await defaults.json()) as { rules: { name: string; metric: string; owner: string; severity: string }[] }).rules;
    expect(rules.find((r) => r.name === 'errors')).toMatchObject({ metric: 'failure_rate', owner: 'platform-team', severity: 'page' });
    expect(rules.find((r) => r.name === 'calibration')).toMatchObject({ metric: 'performance.ece', owner: 'ml-team' });
    expect(rules.find((r) => r.name === 'confidence-collapse')).toMatchObject({ metric: 'confidence.median', owner: 'ml-team' });
    // Thresholds around the truth: the one on the right side holds, the other does not.
    expect((await put('rate-above-half', { metric: 'failure_rate', op: '>', threshold: t.rate / 2 })).status).toBe(200);
    expect((await put('rate-above-double', { metric: 'failure_rate', op: '>', threshold: t.rate * 2 })).status).toBe(200);
    expect((await put('ece', { metric: 'performance.ece', column: OUT, op: '>', threshold: t.perf.ece / 2 })).status).toBe(200);
    expect((await put('accuracy', { metric: 'performance.accuracy', op: '<', threshold: t.perf.accuracy + 0.01 })).status).toBe(200);
    expect((await put('auc', { metric: 'performance.auc_min', op: '<=', threshold: 1 })).status).toBe(200);
    expect((await put('confidence', { metric: 'confidence.median', op: '<', threshold: t.median + 0.01 })).status).toBe(200);
    expect((await put('other-output', { metric: 'confidence.median', column: 'nope', op: '<', threshold: 2 })).status).toBe(200);
    expect((await put('rate-column', { metric: 'failure_rate', column: 'x', op: '>', threshold: 0 })).status).toBe(400);

    const at = Date.now();
    const { transitions } = await c.collector.runAlerts(at);
    const fired = new Map(transitions!.map((x) => [x.rule, x]));
    expect(fired.get('errors')).toEqual({ rule: 'errors', series: 'zoo|2|1h', to: 'pending' });
    expect(fired.has('calibration')).toBe(t.perf.ece > 0.1);
    expect(fired.has('confidence-collapse')).toBe(t.median < 0.5);
    expect(fired.get('rate-above-half')).toEqual({ rule: 'rate-above-half', series: 'zoo|2|1h', to: 'firing' });
    expect(fired.has('rate-above-double')).toBe(false);
    for (const r of ['ece', 'accuracy', 'auc', 'confidence'])
      expect(fired.get(r)).toEqual({ rule: r, series: `zoo|2|${OUT}|1h`, to: 'firing' });
    expect(fired.has('other-output')).toBe(false);
    expect(JSON.stringify(transitions)).not.toContain('few');

    const alerts = (await get(`${c.url}/v1/alerts`, c.keys.read)).body.alerts as { rule: string; evidence: any }[];
    const ev = (rule: string) => alerts.find((a) => a.rule === rule)!.evidence;
    expect(ev('rate-above-half')).toMatchObject({
      model: 'zoo',
      version: '2',
      column: null,
      statistic: 'failure_rate',
      calls: t.calls,
      failures: t.failures,
      byKind: t.byKind,
    });
    expect(ev('rate-above-half').value).toBeCloseTo(t.rate, 12);
    expect(ev('ece')).toMatchObject({ output: OUT, statistic: 'performance.ece', labelled: 240 });
    expect(ev('ece').value).toBeCloseTo(t.perf.ece, 12);
    expect(ev('accuracy').value).toBeCloseTo(t.perf.accuracy, 12);
    expect(ev('auc').value).toBeCloseTo(Math.min(...CLASSES.map((cls) => t.perf.classes[cls].auc)), 12);
    expect(ev('confidence')).toMatchObject({ output: OUT, column: `${OUT}.confidence`, value: t.median });
    // Failure rate and performance open the model view at the alert's window (its failures and
    // performance panels); the confidence alert opens its column's view.
    for (const r of ['rate-above-half', 'ece'])
      expect(ev(r).link).toBe(`https://watch.example/#/models/zoo/versions/2?from=${at - 3_600_000}&to=${at}`);
    expect(ev('confidence').link).toBe(
      `https://watch.example/#/models/zoo/versions/2/columns/${OUT}.confidence?from=${at - 3_600_000}&to=${at}`,
    );
  });
});
