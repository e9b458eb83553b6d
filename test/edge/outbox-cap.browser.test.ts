// The outbox cap in the real IndexedDB: old windows are merged into coarser ones (exactly: no
// count is lost) before any is dropped, and drops are counted into the next window's header.
import { describe, expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { openStore } from '../../src/edge/store.ts';
import { decode, featureRows, freshModelId } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function batch(n: number, seed: number) {
  return [
    { input: { type: 'float32', data: featureRows(n, seed), dims: [n, 4] } },
    { probabilities: { type: 'float32', data: new Float32Array(n * 3).fill(1 / 3), dims: [n, 3] } },
  ] as const;
}

async function engineAt(modelId: string, clock: { now: number }, storageCap: number) {
  const core = await loadCore();
  return MonitorEngine.start(resolveOptions({ modelId, modelVersion: '1', storageCap }), {
    core,
    store: await openStore(modelId),
    now: () => clock.now,
  });
}

describe('outbox cap', () => {
  test('old windows are merged into coarser ones before anything is dropped', async () => {
    const modelId = freshModelId('cap');
    const clock = { now: T0 };
    // Measure one window's size with an uncapped engine, then cap at 3.5 windows.
    const probe = await engineAt(freshModelId('probe'), clock, 1e9);
    probe.record(...batch(50, 1), { latencyMs: 1 });
    await probe.flush();
    const one = (await probe.outbox())[0].bytes.byteLength;
    await probe.close();

    const engine = await engineAt(modelId, clock, Math.floor(one * 3.5));
    let rows = 0;
    for (let w = 0; w < 8; w++) {
      clock.now = T0 + w * 60_000 + 1000;
      engine.record(...batch(50 + w, 10 + w), { latencyMs: 1 });
      rows += 50 + w;
    }
    await engine.flush();
    const entries = await engine.outbox();
    expect(entries.length).toBeLessThan(8);
    expect(entries.reduce((s, e) => s + e.bytes.byteLength, 0)).toBeLessThanOrEqual(one * 3.5);
    let counted = 0;
    for (const e of entries) {
      const p = await decode(e.bytes);
      counted += p.summary('input.0').count;
      expect(Number(p.meta.windowStart)).toBe(e.windowStart);
      expect(Number(p.meta.windowEnd)).toBe(e.windowEnd);
      expect(p.meta.uploadId).toBe(e.uploadId);
      expect(p.meta.dropped).toBe('0');
      p.dispose();
    }
    expect(counted).toBe(rows);
    // The oldest windows were the ones merged: the first entry spans several minutes.
    expect(entries[0].windowStart).toBe(T0);
    expect(entries[0].windowEnd - entries[0].windowStart).toBeGreaterThan(60_000);
    expect(entries.at(-1)!.windowEnd).toBe(T0 + 8 * 60_000);
    await engine.close();
  });

  test('when merging cannot make room, the oldest windows are dropped and the next upload says how many', async () => {
    const modelId = freshModelId('drop');
    const clock = { now: T0 };
    const tiny = await engineAt(modelId, clock, 1);
    for (let w = 0; w < 3; w++) {
      clock.now = T0 + w * 60_000;
      tiny.record(...batch(10, w), { latencyMs: 1 });
      await tiny.flush();
    }
    expect(await tiny.outbox()).toEqual([]);
    await tiny.close();

    const roomy = await engineAt(modelId, clock, 1e9);
    clock.now = T0 + 10 * 60_000;
    roomy.record(...batch(10, 9), { latencyMs: 1 });
    await roomy.flush();
    const [entry] = await roomy.outbox();
    const p = await decode(entry.bytes);
    expect(p.meta.dropped).toBe('3');
    p.dispose();
    await roomy.close();
  });
});
