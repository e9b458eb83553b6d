// Node-side checks of the edge runtime's pure parts: window alignment, backoff and Retry-After,
// options, grids, the schema plan, the privacy budget and noise scale, and compaction with the
// real core. The browser paths are tested in Chromium (*.browser.test.ts, *.chromium.test.ts).
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { callClock, RESYNC_MS, RESYNC_READINGS, utcDay, utcMonth, windowAt } from '../../src/edge/clock.ts';
import { compactOutbox, DROPPED_KEY } from '../../src/edge/compaction.ts';
import { deviceId } from '../../src/edge/device.ts';
import { validateGrid } from '../../src/edge/grid.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { cellsPerEvent, drawSlots, noiseScale, slotOf, slotsPerDay, spendBudget, windowsPerDay } from '../../src/edge/privacy.ts';
import { rng } from '../helpers/random.ts';
import { buildPlan } from '../../src/edge/schema.ts';
import { MemoryStore } from '../../src/edge/store.ts';
import { backoffDelay, retryAfterMs } from '../../src/edge/uploader.ts';

describe('windows', () => {
  test('tumble on the wall clock', () => {
    const t = Date.UTC(2026, 4, 1, 12, 34, 56, 789);
    expect(windowAt(t, 60_000)).toEqual({ start: Date.UTC(2026, 4, 1, 12, 34), end: Date.UTC(2026, 4, 1, 12, 35) });
    expect(windowAt(Date.UTC(2026, 4, 1, 12, 35), 60_000).start).toBe(Date.UTC(2026, 4, 1, 12, 35));
    expect(utcDay(t)).toBe('2026-05-01');
    expect(utcMonth(t)).toBe('2026-05');
  });
});

describe('the call clock', () => {
  // A wall clock and a monotonic clock the test moves by hand; the wall clock counts its reads.
  function clocks() {
    const c = { wall: Date.UTC(2026, 4, 1, 12, 0), mono: 1000, wallReads: 0 };
    const read = callClock(
      () => (c.wallReads++, c.wall),
      () => c.mono,
    );
    const tick = (ms: number) => ((c.wall += ms), (c.mono += ms));
    return { c, read, tick };
  }

  test('carries the wall clock forward on the monotonic one, reading it again every RESYNC_READINGS readings', () => {
    const { c, read, tick } = clocks();
    for (let i = 0; i < 3 * RESYNC_READINGS; i++) {
      expect(read()).toBe(c.wall);
      tick(0.25);
    }
    expect(c.wallReads).toBe(3);
  });

  test('reads the wall clock again once RESYNC_MS passed, however few the readings', () => {
    const { c, read, tick } = clocks();
    read();
    tick(RESYNC_MS - 1);
    expect(read()).toBe(c.wall);
    expect(c.wallReads).toBe(1);
    tick(1);
    read();
    expect(c.wallReads).toBe(2);
  });

  test('catches up within RESYNC_READINGS readings when the wall clock moved alone (a device asleep, a clock set)', () => {
    const { c, read } = clocks();
    read();
    c.wall += 3_600_000; // an hour asleep: the monotonic clock stood still
    const behind: number[] = [];
    for (let i = 0; i < RESYNC_READINGS; i++) behind.push(c.wall - read());
    expect(behind.slice(0, RESYNC_READINGS - 1)).toEqual(Array(RESYNC_READINGS - 1).fill(3_600_000));
    expect(behind[RESYNC_READINGS - 1]).toBe(0);
    expect(read()).toBe(c.wall);
  });
});

describe('retry timing', () => {
  test('exponential backoff with equal jitter, capped', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 60_000, () => 0.5)).toBe(6000);
    expect(backoffDelay(30, 1000, 60_000, () => 1)).toBe(60_000);
  });

  test('Retry-After in seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('options', () => {
  test('are checked with clear messages', () => {
    expect(() => resolveOptions({ modelId: '', modelVersion: '1' })).toThrow(/modelId is required/);
    expect(() => resolveOptions({ modelId: 'm', modelVersion: '1', window: 10 })).toThrow(/window must be at least/);
    expect(() =>
      resolveOptions({ modelId: 'm', modelVersion: '1', privacy: { mode: 'dp', epsilon: 0, maxRowsPerWindow: 5, dailyEpsilon: 1 } }),
    ).toThrow(/epsilon/);
    expect(() =>
      resolveOptions({ modelId: 'm', modelVersion: '1', privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 2.5, dailyEpsilon: 1 } }),
    ).toThrow(/integer/);
    const dp = { mode: 'dp', epsilon: 1, maxRowsPerWindow: 5, dailyEpsilon: 8 } as const;
    expect(() => resolveOptions({ modelId: 'm', modelVersion: '1', window: 7 * 60_000, privacy: dp })).toThrow(/window must divide a day/);
    expect(() => resolveOptions({ modelId: 'm', modelVersion: '1', window: 36 * 3600_000, privacy: dp })).toThrow(/whole days/);
    expect(resolveOptions({ modelId: 'm', modelVersion: '1', window: 3 * 86_400_000, privacy: dp }).window).toBe(3 * 86_400_000);
    expect(() => resolveOptions({ modelId: 'm', modelVersion: '1', privacy: { ...dp, epsilon: 9 } })).toThrow(/must not exceed/);
    expect(resolveOptions({ modelId: 'm', modelVersion: '1' })).toMatchObject({
      window: 60_000,
      checkpointEvery: 5000,
      storageCap: 5_000_000,
      privacy: { mode: 'off' },
    });
  });

  test('a grid must have finite increasing edges or a vocabulary', () => {
    expect(() => validateGrid({ columns: { a: { edges: [1, 1] } } })).toThrow(/strictly increasing/);
    expect(() => validateGrid({ columns: { a: { edges: [0, Infinity] } } })).toThrow(/finite/);
    expect(() => validateGrid({ columns: { a: { vocabulary: [1] } } })).toThrow(/vocabulary of strings/);
    expect(() => validateGrid({})).toThrow(/columns/);
    expect(validateGrid({ columns: { a: { edges: [0, 1] }, b: { vocabulary: ['x'] } } }).columns.b).toEqual({ vocabulary: ['x'] });
  });
});

describe('schema plan', () => {
  const io = {
    inputs: [
      { name: 'input', type: 'float32', shape: ['batch', 3] },
      { name: 'plan', type: 'string', shape: ['batch'] },
      { name: 'image', type: 'float32', shape: ['batch', 3, 8, 8] },
    ],
    outputs: [
      { name: 'probs', type: 'float32', shape: ['batch', 2] },
      { name: 'value', type: 'float32', shape: ['batch', 1] },
    ],
  };

  test('tabular inputs become one numeric column per feature, images one per channel, scores per class', () => {
    const plan = buildPlan(
      io.inputs,
      io.outputs,
      resolveOptions({ modelId: 'm', modelVersion: '1', vocabularies: { plan: ['free', 'pro'] } }),
      null,
    );
    const names = plan.columns.map((c) => `${c.name}:${c.kind}`);
    expect(names).toEqual([
      'input.0:numeric',
      'input.1:numeric',
      'input.2:numeric',
      'plan:categorical',
      'image.channel0:numeric',
      'image.channel1:numeric',
      'image.channel2:numeric',
      'probs.predicted:categorical',
      'probs.confidence:grid',
      'probs.score.0:grid',
      'probs.score.1:grid',
      'feedback.probs.confusion:categorical',
      'feedback.probs.score.0.label.0:grid',
      'feedback.probs.score.0.label.1:grid',
      'feedback.probs.score.1.label.0:grid',
      'feedback.probs.score.1.label.1:grid',
      'feedback.probs.calibration.all:grid',
      'feedback.probs.calibration.correct:grid',
      'value:numeric',
      'health.latency_ms:numeric',
      'health.failure:categorical',
      'health.provider:categorical',
    ]);
    expect(plan.columns.find((c) => c.name === 'plan')).toEqual({ name: 'plan', kind: 'categorical', vocabulary: ['free', 'pro'] });
  });

  test("numeric inputs take the baseline's centers; a center must be finite", () => {
    const plan = buildPlan(io.inputs, io.outputs, resolveOptions({ modelId: 'm', modelVersion: '1', centers: { 'input.1': 1016 } }), null);
    expect(plan.columns.find((c) => c.name === 'input.1')).toEqual({ name: 'input.1', kind: 'numeric', center: 1016 });
    // Without one the center is 0, never the core's automatic default: each device's windows
    // would otherwise choose their own, and windows centred apart do not merge.
    expect(plan.columns.find((c) => c.name === 'input.0')).toEqual({ name: 'input.0', kind: 'numeric', center: 0 });
    expect(plan.columns.filter((c) => c.kind === 'numeric').every((c) => c.kind === 'numeric' && c.center !== undefined)).toBe(true);
    expect(() => resolveOptions({ modelId: 'm', modelVersion: '1', centers: { a: Infinity } })).toThrow(
      /centers\.a must be a finite number/,
    );
  });

  test('the private mode keeps only columns with a fixed grid', () => {
    const o = resolveOptions({
      modelId: 'm',
      modelVersion: '1',
      privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 10, dailyEpsilon: 5 },
    });
    const plan = buildPlan(io.inputs, io.outputs, o, { columns: { 'input.1': { edges: [0, 1, 2] }, plan: { vocabulary: ['free'] } } });
    expect(plan.columns.every((c) => c.kind !== 'numeric')).toBe(true);
    expect(plan.columns.map((c) => c.name)).toContain('input.1');
    expect(plan.columns.map((c) => c.name)).not.toContain('input.0');
    expect(plan.columns.map((c) => c.name).some((n) => n.startsWith('image'))).toBe(false);
    expect(plan.inputs[0]).toEqual({ input: 'input', kind: 'table', columns: [null, 'input.1', null] });
  });
});

describe('privacy bookkeeping', () => {
  test('noise scale is 2 × rows × cells one event touches / ε (any two windows differ by that much)', () => {
    expect(noiseScale(500, 20, 1)).toBe(20_000);
    expect(noiseScale(1, 4, 2)).toBe(4);
  });

  test('cells per event: the widest of an inference row, a feedback row and a failure', () => {
    // A 20-feature regression model: every column but the failure count is touched by one row.
    const regression = [
      ...Array.from({ length: 20 }, (_, i) => `input.${i}`),
      'y',
      'health.latency_ms',
      'health.failure',
      'health.provider',
    ];
    expect(cellsPerEvent(regression)).toBe(23);
    // A 3-class classifier with 2 features: a row touches 2 inputs, predicted, confidence, 3
    // scores, latency and provider (9); a feedback row its confusion, 2 calibration columns and
    // one labelled score per class (6); the 9 labelled score columns are never touched together.
    const o = resolveOptions({ modelId: 'm', modelVersion: '1', classes: ['a', 'b', 'c'] });
    const plan = buildPlan([{ name: 'x', type: 'float32', shape: [1, 2] }], [{ name: 'p', type: 'float32', shape: [1, 3] }], o, null);
    const names = plan.columns.map((c) => c.name);
    expect(names.filter((n) => n.startsWith('feedback.'))).toHaveLength(12);
    expect(cellsPerEvent(names)).toBe(9);
    const wideFeedback = buildPlan(
      [{ name: 'x', type: 'float32', shape: [1, 1] }],
      [{ name: 'p', type: 'float32', shape: [1, 9] }],
      o,
      null,
    );
    // 9 classes: a row touches 1 + 1 + 1 + 9 + 2 = 14 cells, a feedback row 3 + 9 = 12.
    expect(cellsPerEvent(wideFeedback.columns.map((c) => c.name))).toBe(14);
    expect(cellsPerEvent(['health.failure'])).toBe(1);
  });

  test("the day's uploaded windows are a uniform sample of its slots, not its first ones", () => {
    expect(windowsPerDay(1, 8, 60_000)).toBe(8);
    expect(windowsPerDay(0.1, 0.8, 60_000)).toBe(8);
    expect(windowsPerDay(1, 8, 3 * 3600_000)).toBe(8);
    expect(windowsPerDay(1, 100, 3 * 3600_000)).toBe(8);
    expect(slotsPerDay(7 * 86_400_000)).toBe(1);
    expect(slotOf(Date.UTC(2026, 0, 2, 0, 1, 30), 60_000)).toEqual({ day: Date.UTC(2026, 0, 2) / 86_400_000, slot: 1 });
    // Draws of 8 of 1,440 slots with a seeded generator: each slot's share is 8/1440 of the
    // draws; χ² over 24 hourly bins (23 dof) at α = 1e-4 is below 53.48. Windows of the first
    // 8 minutes only would put every draw in bin 0.
    const r = rng(2026);
    const hourly = new Array(24).fill(0);
    const draws = 3000;
    for (let d = 0; d < draws; d++) {
      const slots = drawSlots(8, 1440, (bound) => Math.floor(r() * bound));
      expect(new Set(slots).size).toBe(8);
      expect(slots.every((s) => Number.isInteger(s) && s >= 0 && s < 1440)).toBe(true);
      for (const s of slots) hourly[Math.floor(s / 60)]++;
    }
    const expected = (draws * 8) / 24;
    const chi2 = hourly.reduce((a, o) => a + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(53.48);
    expect(drawSlots(5, 3)).toEqual([0, 1, 2]);
  });

  test('no private upload from a store that cannot keep the budget', async () => {
    expect(await spendBudget(new MemoryStore(), Date.UTC(2026, 0, 1), 60_000, 1, 8)).toBe('no-persistent-budget');
  });

  test('the device id is random, kept within a month and replaced the next', async () => {
    const store = new MemoryStore();
    const may = Date.UTC(2026, 4, 3);
    const a = await deviceId(store, may);
    expect(await deviceId(store, may + 20 * 86_400_000)).toBe(a);
    const june = await deviceId(store, Date.UTC(2026, 5, 1));
    expect(june).not.toBe(a);
    expect(await deviceId(new MemoryStore(), may)).not.toBe(a);
  });
});

describe('compaction', () => {
  test('merges the oldest never-sent windows of a group exactly, never a window already sent', async () => {
    const core = await loadCore();
    const store = new MemoryStore();
    const entry = async (i: number, attempts: number, group = 'g') => {
      const p = core.profile({ columns: [{ name: 'x', kind: 'numeric' }] });
      p.recordNumbers(
        'x',
        Float64Array.from({ length: 100 }, (_, j) => i * 100 + j),
      );
      p.meta = { uploadId: `u${i}`, windowStart: String(i * 60_000), windowEnd: String((i + 1) * 60_000), dropped: '0' };
      const bytes = p.toBytes();
      p.dispose();
      await store.putOutbox({
        uploadId: `u${i}`,
        group,
        windowStart: i * 60_000,
        windowEnd: (i + 1) * 60_000,
        bytes,
        attempts,
        notBefore: 0,
      });
      return bytes.byteLength;
    };
    let total = await entry(0, 1); // already sent once: must stay as it is
    total += await entry(1, 0);
    total += await entry(2, 0, 'other-version');
    total += await entry(3, 0);
    const dropped = await compactOutbox(store, core, total - 1); // one merge makes room
    expect(dropped).toBe(0);
    const after = await store.outbox();
    expect(after.map((e) => e.uploadId)).toContain('u0');
    expect(after.map((e) => e.uploadId)).toContain('u2');
    const merged = after.find((e) => e.windowStart === 60_000)!;
    expect(after).toHaveLength(3);
    expect(merged.windowEnd).toBe(4 * 60_000);
    const p = core.profileFromBytes(merged.bytes);
    expect(p.summary('x').count).toBe(200);
    expect(p.meta.uploadId).toBe(merged.uploadId);
    p.dispose();
    expect(await store.get(DROPPED_KEY)).toBeUndefined();
  });
});
