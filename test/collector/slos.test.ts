// SLOs with error budgets on both back-ends, from real uploads: each SLO's good and total events
// per window are the counts of the raw rows (calls within the latency threshold, calls that did
// not fail, labelled rows predicted right, labelled rows less their exact ECE share), its burn
// rates and budget follow from them, its
// multiwindow burn-rate rules fire exactly the pairs whose burn exceeds their threshold and join
// one incident; /metrics exports the events, and the Prometheus rules in deploy/ pass
// `promtool check rules` and raise, from the scraped series, the alerts the collector raised.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
/** Each deploy/ alert's long and short windows. */
const WINDOWS: Record<string, [string, string]> = {
  EdgewatchSloBurnFast: ['1h', '5m'],
  EdgewatchSloBurnHigh: ['6h', '30m'],
  EdgewatchSloBurnSteady: ['1d', '2h'],
  EdgewatchSloBurnSlow: ['3d', '6h'],
};
const RULES = resolve(import.meta.dirname, '../../deploy/prometheus/edgewatch-slo-rules.yml');
const COLUMNS: ColumnSpec[] = [
  { name: `${OUT}.predicted`, kind: 'categorical', vocabulary: CLASSES },
  { name: `${OUT}.confidence`, kind: 'grid' },
  { name: 'health.latency_ms', kind: 'numeric' },
  { name: 'health.failure', kind: 'categorical', vocabulary: ['input', 'inference', 'output', 'recording'] },
  ...FEEDBACK_COLUMNS,
];
const SLOS = [
  // About one call in five above 100 ms against a 1 % budget: burn ~19, every pair fires (pages).
  { name: 'fast', model: 'churn', indicator: 'latency', threshold: 100, objective: 0.99, owner: 'platform' },
  // About one call in twenty fails against a 1 % budget: burn ~4.8, only the slow pairs (tickets).
  { name: 'available', model: 'churn', indicator: 'failure_rate', objective: 0.99, owner: 'platform' },
  // Right about 85 % of the time against a 50 % objective: well within budget.
  { name: 'right', model: 'churn', version: '1.0.0', indicator: 'accuracy', objective: 0.5, owner: 'ml-team' },
  // Confident at about 0.64 while always right: an ECE of 0.36 against 0.05, burn ~7.2, the
  // pairs of threshold 6 and below fire.
  { name: 'calibrated', model: 'churn', indicator: 'calibration', objective: 0.95, owner: 'ml-team' },
];

describe.each(BACKENDS)('SLOs on $name', (backend) => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const truth = { timed: 0, fast: 0, calls: 0, failures: 0, labelled: [] as Labelled[] };
  /** The burn rates of the raw rows: error ratio over the budget. */
  const burn = {
    fast: () => (1 - truth.fast / truth.timed) / 0.01,
    available: () => truth.failures / truth.calls / 0.01,
    calibrated: () => expectedPerformance(truth.labelled).ece / 0.05,
  };

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(backend);
    for (let d = 0; d < 6; d++) {
      const calls = labelledRows(300 + d, 200, 1.2);
      // Four calls in five take 10–60 ms, one in five 200–400 ms; five in a hundred fail (20 ms).
      const latencies = calls.map((_, i) => (i % 5 === 4 ? 200 + ((i * 7 + d) % 200) : 10 + ((i * 13 + d) % 50)));
      const failed = Array.from({ length: 10 }, (_, i) => ['input', 'inference'][i % 2]);
      const p = core.profile({ columns: COLUMNS });
      try {
        p.recordLabels(
          `${OUT}.predicted`,
          calls.map((x) => CLASSES[argmax(x.scores)]),
        );
        p.recordNumbers(
          `${OUT}.confidence`,
          calls.map((x) => Math.max(...x.scores)),
        );
        p.recordNumbers('health.latency_ms', [...latencies, ...failed.map(() => 20)]);
        p.recordLabels('health.failure', failed);
        recordFeedback(p, calls.slice(0, 50));
        const start = now - 4 * MIN;
        p.meta = {
          model: 'churn',
          modelVersion: '1.0.0',
          windowStart: String(start),
          windowEnd: String(start + MIN),
          deviceId: `device-${d}`,
          uploadId: `upload-${d}`,
        };
        expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, p.toBytes())).status).toBe(200);
      } finally {
        p.dispose();
      }
      truth.timed += latencies.length + failed.length;
      truth.fast += latencies.filter((x) => x <= 100).length + failed.length;
      truth.calls += calls.length + failed.length;
      truth.failures += failed.length;
      truth.labelled.push(...calls.slice(0, 50));
    }
    for (const s of SLOS) {
      const res = await fetch(`${c.url}/v1/slos/${s.name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(s),
      });
      expect(res.status, await res.text()).toBe(200);
    }
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('refuses an SLO that does not make sense', async () => {
    const put = (body: unknown) =>
      fetch(`${c.url}/v1/slos/x`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', model: 'churn', owner: 'o', ...(body as object) }),
      });
    expect((await put({ indicator: 'latency', objective: 0.99 })).status).toBe(400); // no threshold
    expect((await put({ indicator: 'accuracy', objective: 1 })).status).toBe(400);
    expect((await put({ indicator: 'vibes', objective: 0.9 })).status).toBe(400);
    expect((await put({ indicator: 'failure_rate', threshold: 3, objective: 0.9 })).status).toBe(400);
    expect((await put({ indicator: 'calibration', threshold: 0.05, objective: 0.9 })).status).toBe(400);
  });

  it("counts each SLO's events as the raw rows do, with its burn rates and budget", async () => {
    const { slos } = (await get(`${c.url}/v1/slos`, c.keys.read)).body;
    const status = (name: string) => slos.find((s: { name: string }) => s.name === name).versions[0];
    const { accuracy: acc, ece } = expectedPerformance(truth.labelled);
    const expected = {
      fast: { good: truth.fast, total: truth.timed, objective: 0.99 },
      available: { good: truth.calls - truth.failures, total: truth.calls, objective: 0.99 },
      right: { good: acc * truth.labelled.length, total: truth.labelled.length, objective: 0.5 },
      calibrated: { good: (1 - ece) * truth.labelled.length, total: truth.labelled.length, objective: 0.95 },
    };
    for (const [name, e] of Object.entries(expected)) {
      const st = status(name);
      expect(st.version).toBe('1.0.0');
      // Every window holds the same four minutes of uploads; the period too.
      for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']) {
        expect(st.windows[w].good, `${name} ${w}`).toBeCloseTo(e.good, 9);
        expect(st.windows[w].total).toBe(e.total);
        expect(st.windows[w].burnRate).toBeCloseTo((1 - e.good / e.total) / (1 - e.objective), 9);
      }
      expect(st.budgetRemaining).toBeCloseTo(1 - (1 - e.good / e.total) / (1 - e.objective), 9);
    }
    expect(status('fast').burn['1h/5m']).toBeCloseTo(burn.fast(), 9);
    expect(status('available').burn['3d/6h']).toBeCloseTo(burn.available(), 9);
    expect(status('calibrated').indicator).toBe('calibration');
    expect(status('calibrated').burn['6h/30m']).toBeCloseTo(burn.calibrated(), 9);
  });

  it('fires the burn-rate pairs above their thresholds, into one incident', async () => {
    const r = await c.collector.runAlerts(now);
    const fired = r
      .transitions!.filter((t) => t.to === 'firing')
      .map((t) => t.rule)
      .sort();
    expect(fired).toEqual([
      'available.burn-1d-2h',
      'available.burn-3d-6h',
      'calibrated.burn-1d-2h',
      'calibrated.burn-3d-6h',
      'calibrated.burn-6h-30m',
      'fast.burn-1d-2h',
      'fast.burn-1h-5m',
      'fast.burn-3d-6h',
      'fast.burn-6h-30m',
    ]);
    const { incidents } = (await get(`${c.url}/v1/incidents`, c.keys.read)).body;
    expect(incidents).toHaveLength(1);
    expect(incidents[0].severity).toBe('page');
    const s = incidents[0].signals.find((x: { rule: string }) => x.rule === 'fast.burn-1h-5m');
    expect(s).toMatchObject({ slo: 'fast', statistic: 'slo.burn.1h.5m', op: '>', threshold: 14.4, severity: 'page' });
    expect(s.value).toBeCloseTo(burn.fast(), 9);
  });

  it('exports the events, and the deploy/ rules raise the same alerts from them', async () => {
    const text = (await get(`${c.url}/metrics`, undefined)).body as string;
    const series = text.split('\n').filter((l) => /^edgewatch_slo_(events|objective)\{/.test(l));
    expect(series.filter((l) => l.startsWith('edgewatch_slo_objective'))).toHaveLength(SLOS.length);
    expect(series).toContain(
      `edgewatch_slo_objective{project="alpha",model="churn",version="1.0.0",slo="calibrated",indicator="calibration"} 0.95`,
    );
    expect(series).toContain(
      `edgewatch_slo_events{project="alpha",model="churn",version="1.0.0",slo="available",window="1h",kind="total"} ${truth.calls}`,
    );
    const exported = (slo: string, window: string, kind: string) =>
      Number(
        series
          .find((l) =>
            l.startsWith(
              `edgewatch_slo_events{project="alpha",model="churn",version="1.0.0",slo="${slo}",window="${window}",kind="${kind}"}`,
            ),
          )!
          .split(' ')[1],
      );
    expect(1 - exported('calibrated', '1h', 'good') / exported('calibrated', '1h', 'total')).toBeCloseTo(
      expectedPerformance(truth.labelled).ece,
      9,
    );
    execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    const dir = mkdtempSync(join(tmpdir(), 'edgewatch-promtool-'));
    try {
      const labels = (slo: string, severity: string) => ({
        severity,
        indicator: SLOS.find((s) => s.name === slo)!.indicator,
        owner: 'model',
        project: 'alpha',
        model: 'churn',
        version: '1.0.0',
        slo,
      });
      const alert = (name: string, ...slos: [string, string][]) => ({
        eval_time: '2m',
        alertname: name,
        exp_alerts: slos.map(([slo, severity]) => ({
          exp_labels: { ...labels(slo, severity), window: WINDOWS[name][0] },
          exp_annotations: {
            summary: `churn@1.0.0 SLO ${slo} burning its error budget ${burn[slo as keyof typeof burn]().toFixed(1)}x over ${WINDOWS[name][0]} (and over ${WINDOWS[name][1]})`,
          },
        })),
      });
      const test = {
        rule_files: [RULES],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: series.map((l) => {
              const [, name, value] = /^(\S+\}) (\S+)$/.exec(l)!;
              return { series: name, values: `${value}x5` };
            }),
            promql_expr_test: [
              {
                expr: 'edgewatch:slo_calibration_error:1h',
                eval_time: '2m',
                exp_samples: [
                  {
                    labels: `edgewatch:slo_calibration_error:1h{project="alpha",model="churn",version="1.0.0",slo="calibrated",window="1h"}`,
                    // PromQL's arithmetic on the exported counts, which the test above holds to the ECE.
                    value: 1 - exported('calibrated', '1h', 'good') / exported('calibrated', '1h', 'total'),
                  },
                ],
              },
            ],
            alert_rule_test: [
              alert('EdgewatchSloBurnFast', ['fast', 'page']),
              alert('EdgewatchSloBurnHigh', ['calibrated', 'page'], ['fast', 'page']),
              alert('EdgewatchSloBurnSteady', ['available', 'ticket'], ['calibrated', 'ticket'], ['fast', 'ticket']),
              alert('EdgewatchSloBurnSlow', ['available', 'ticket'], ['calibrated', 'ticket'], ['fast', 'ticket']),
            ],
          },
        ],
      };
      const file = join(dir, 'slo.test.json');
      writeFileSync(file, JSON.stringify(test));
      let out = '';
      try {
        out = execFileSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
      } catch (err) {
        throw new Error(`promtool test rules failed:\n${(err as { stdout?: string }).stdout}${(err as { stderr?: string }).stderr}`);
      }
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
