// The deploy/ examples speak only of metrics the collector really exports, and select one
// rolling window wherever a series has several.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { gaugesIn } from '../../src/collector/model-metrics.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, startCollector } from './helpers/collector.ts';

const read = (p: string) => readFileSync(new URL(`../../deploy/${p}`, import.meta.url), 'utf8');

describe('deploy examples', () => {
  it('use only metric names the collector declares in /metrics', async () => {
    const c = await startCollector(BACKENDS[0]);
    let exported: Set<string>;
    let windowed: Set<string>;
    try {
      const text = (await get(`${c.url}/metrics`, undefined)).body as string;
      exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      // The per-model series live in a registry of their own (model-metrics.ts): the same gauges.
      const registry = c.collector.context.metrics.registry;
      const models = new Registry();
      gaugesIn(models);
      const metric = (n: string) => (registry.getSingleMetric(n) ?? models.getSingleMetric(n)) as unknown as { labelNames: string[] };
      windowed = new Set([...exported].filter((n) => metric(n).labelNames.includes('window')));
    } finally {
      await c.stop();
    }
    const rules = read('prometheus/edgewatch-rules.yml');
    const dashboard = JSON.parse(read('grafana/edgewatch-dashboard.json'));
    const queries: string[] = [
      ...[...rules.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]),
      ...dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr)),
    ];
    const exprs = [...queries, ...dashboard.templating.list.map((v: { definition: string }) => v.definition)];
    expect(exprs.length).toBeGreaterThan(15);
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/\bedgewatch_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))),
    );
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(exported, name).toContain(name);
    // No double counting across windows: every selector of a per-model series of the rolling
    // windows picks exactly one window (the last hour is part of the last 24 hours); freshness,
    // the same in every window, has none to pick.
    expect(windowed).toContain('edgewatch_column_drifted');
    expect(windowed).not.toContain('edgewatch_model_freshness_seconds');
    let selectors = 0;
    for (const q of queries) {
      for (const [selector, name, matchers] of q.matchAll(/\b(edgewatch_[a-z_]+)\{([^}]*)\}/g)) {
        if (windowed.has(name)) {
          selectors++;
          expect(matchers, selector).toMatch(/(^|,)\s*window="[^"]+"/);
        } else {
          expect(matchers, selector).not.toContain('window');
        }
      }
    }
    expect(selectors).toBeGreaterThan(20);
    const window = dashboard.templating.list.find((v: { name: string }) => v.name === 'window');
    expect(window).toMatchObject({ multi: false, includeAll: false });
    // Every Prometheus alert is routed: a severity and an owner.
    const alerts = rules.split('- alert: ').slice(1);
    expect(alerts.length).toBeGreaterThan(5);
    for (const a of alerts) expect(a).toMatch(/labels: \{ severity: (page|ticket), owner: (data|platform|model) \}/);
  });
});
