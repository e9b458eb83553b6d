// The sliced exposition writes each gauge exactly as prom-client's own registry does: escaped
// help and label values, NaN and infinities, no labels, no samples, and more samples than one
// slice holds.
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { exposition } from '../../src/collector/exposition.ts';

describe('exposition', () => {
  it("matches prom-client's text for every kind of sample", async () => {
    const r = new Registry();
    const wide = new Gauge({ name: 'ew_wide', help: 'a \\ help\nline', labelNames: ['a', 'b'], registers: [r] });
    wide.set({ a: 'q"u\\o\nte', b: '' }, 1.5);
    wide.set({ b: 'x', a: 'y' }, Number.NaN);
    wide.set({ a: 'low', b: '' }, -Infinity);
    wide.set({ a: 'high', b: '' }, Infinity);
    wide.set({ a: 'big', b: '' }, 1e21);
    for (let i = 0; i < 3000; i++) wide.set({ a: `v${i}`, b: 'z' }, i / 7);
    const empty = new Gauge({ name: 'ew_empty', help: 'none', labelNames: ['a'], registers: [r] });
    const plain = new Gauge({ name: 'ew_plain', help: 'no labels', registers: [r] });
    plain.set(3);
    for (const [name, g] of [
      ['ew_wide', wide],
      ['ew_empty', empty],
      ['ew_plain', plain],
    ] as const) {
      expect(await exposition(g)).toBe(await r.getSingleMetricAsString(name));
    }
    // `keep` drops sample lines only.
    const some = await exposition(wide, (line) => !line.includes('b="z"'));
    expect(some.split('\n')).toHaveLength(2 + 5);
  });
});
