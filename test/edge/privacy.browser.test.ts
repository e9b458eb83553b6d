// What leaves the device in the private mode, checked on the payload bytes themselves: a canary
// value is nowhere in them; every cell carries noise of the stated two-sided geometric
// distribution; 1,000 devices merge into a histogram within the error bars that noise implies;
// the contribution bound and the daily ε budget hold.
import { describe, expect, test } from 'vitest';
import { loadCore, type Profile } from '../../src/core/index.ts';
import { createMonitor } from '../../src/edge/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions, type Grid, type MonitorOptions } from '../../src/edge/options.ts';
import { BUDGET_KEY, type BudgetRecord, cellsPerEvent, noiseScale, spendBudget } from '../../src/edge/privacy.ts';
import { LATENCY_EDGES } from '../../src/edge/schema.ts';
import { openStore, type Store } from '../../src/edge/store.ts';
import { buildClassifier, churnClassifier } from '../fixtures/onnx/build-model.ts';
import { decode, featureRows, freshModelId, rng } from './helpers.ts';

/** One window for the whole test: a wall-clock window boundary cannot split what it records. */
const ONE_WINDOW = 8192 * 86_400_000; // whole days, as the private mode needs: 2014–2037

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const linspace = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
const churnGrid: Grid = {
  columns: {
    age: { edges: linspace(18, 78, 65) },
    usage: { edges: linspace(-2, 2, 65) },
    tickets: { edges: linspace(0, 10, 11) },
    trend: { edges: linspace(-1, 1, 65) },
  },
};

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Right-closed bin of x on the edges, as the grid documents: the number of edges below x. */
function binOf(edges: readonly number[], x: number): number {
  return edges.filter((e) => e < x).length;
}

describe('payload privacy', () => {
  test('a canary value recorded once appears nowhere in the payload, in any encoding', async () => {
    const canary = 987654.3125; // exact in float32 and float64
    const monitor = await createMonitor({
      model: buildClassifier(churnClassifier),
      modelId: freshModelId('canary'),
      modelVersion: '1',
      window: ONE_WINDOW,
      features: ['age', 'usage', 'tickets', 'trend'],
      privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 500, dailyEpsilon: 8, grid: churnGrid },
    });
    try {
      await monitor.predict({ input: { type: 'float32', data: featureRows(40, 3), dims: [40, 4] } });
      const rows = featureRows(1, 4);
      rows[0] = canary;
      await monitor.predict({ input: { type: 'float32', data: rows, dims: [1, 4] } });
      await monitor.flush();
      const [entry] = await monitor.outbox();
      const bytes = entry.bytes;
      const f64 = new Uint8Array(new Float64Array([canary]).buffer);
      const f32 = new Uint8Array(new Float32Array([canary]).buffer);
      expect(contains(bytes, f64)).toBe(false);
      expect(contains(bytes, f32)).toBe(false);
      expect(contains(bytes, new TextEncoder().encode('987654'))).toBe(false);
      const p = await decode(bytes);
      const age = p.summary('age');
      if (age.kind === 'categorical') throw new Error('grid expected');
      expect(age.kind).toBe('grid');
      expect(age.noisy).toBe(true);
      expect(age.counts).toHaveLength(66); // every bin, empty or not
      expect(Number.isFinite(age.min)).toBe(false); // no exact extremes
      expect(Number.isFinite(age.max)).toBe(false);
      expect(Number.isFinite(age.sum) && age.sum !== 0).toBe(false); // no exact sums
      expect(p.columnNames.some((n) => n.startsWith('input.'))).toBe(false);
      expect(JSON.parse(p.meta.privacy)).toMatchObject({ mode: 'dp', epsilon: 1, maxRowsPerWindow: 500, dailyEpsilon: 8 });
      p.dispose();
    } finally {
      await monitor.close();
    }
  });

  test('a category label outside the vocabulary folds into __other__ and never leaves', async () => {
    const monitor = await createMonitor({
      modelId: freshModelId('labels'),
      modelVersion: '1',
      window: ONE_WINDOW,
      privacy: {
        mode: 'dp',
        epsilon: 1,
        maxRowsPerWindow: 100,
        dailyEpsilon: 8,
        grid: { columns: { plan: { vocabulary: ['free', 'pro'] } } },
      },
    });
    try {
      const plans = ['free', 'pro', 'free', 'canary-zebra-42'];
      await monitor.observe(
        { plan: { type: 'string', data: plans, dims: [4] } },
        { score: { type: 'float32', data: new Float32Array(4), dims: [4, 1] } },
      );
      await monitor.flush();
      const [entry] = await monitor.outbox();
      expect(contains(entry.bytes, new TextEncoder().encode('canary-zebra'))).toBe(false);
      const p = await decode(entry.bytes);
      const plan = p.summary('plan');
      if (plan.kind !== 'categorical') throw new Error('categorical expected');
      expect(plan.items.map((i) => i.value).sort()).toEqual(['__other__', 'free', 'pro']);
      p.dispose();
    } finally {
      await monitor.close();
    }
  });
});

/** An engine on a fake clock and a real IndexedDB: each window stands for one device's upload. */
async function dpEngine(options: Partial<MonitorOptions>, clock: { now: number }, store?: Store) {
  const core = await loadCore();
  const modelId = freshModelId('dp');
  store ??= await openStore(modelId);
  return MonitorEngine.start(resolveOptions({ modelId, modelVersion: '1', ...options }), {
    core,
    store,
    now: () => clock.now,
  });
}

const xEdges = linspace(-3, 3, 17);
const xGrid: Grid = { columns: { 'x.0': { edges: xEdges } } };
const oneColumn = (values: number[]) =>
  [
    { x: { type: 'float32', data: Float32Array.from(values), dims: [values.length, 1] } },
    { y: { type: 'float32', data: new Float32Array(values.length), dims: [values.length, 1] } },
  ] as const;

/** Every cell of a noised profile with its true value (from the raw values, binned here). */
function noiseDraws(p: Profile, xs: number[], latency: number): number[] {
  const out: number[] = [];
  for (const name of p.columnNames) {
    const s = p.summary(name);
    if (s.kind === 'categorical') {
      out.push(s.missing); // labels are never NaN or infinite: those cells do not exist here
      for (const { value, count } of s.items)
        out.push(count - (name === 'health.provider' && value === 'wasm' ? (xs.length === 0 ? 0 : 1) : 0));
    } else {
      out.push(s.missing, s.nan, s.posInf, s.negInf);
      const truth = new Array(s.counts!.length).fill(0);
      if (name === 'x.0') xs.forEach((x) => truth[binOf(xEdges, x)]++);
      if (name === 'health.latency_ms') truth[binOf(LATENCY_EDGES, latency)]++;
      s.counts!.forEach((c, i) => out.push(c - truth[i]));
    }
  }
  return out;
}

describe('noise', () => {
  test('every cell gets two-sided geometric noise of the stated scale', async () => {
    const clock = { now: T0 };
    const epsilon = 2;
    const engine = await dpEngine({ privacy: { mode: 'dp', epsilon, maxRowsPerWindow: 1, dailyEpsilon: 1e9, grid: xGrid } }, clock);
    const xOf = (w: number) => ((w % 13) - 6) / 2;
    for (let w = 0; w < 300; w++) {
      clock.now = T0 + w * 60_000;
      engine.record(...oneColumn([xOf(w)]), { latencyMs: 3.3, provider: 'wasm' });
    }
    await engine.flush();
    const entries = await engine.outbox();
    expect(entries).toHaveLength(300);
    const draws: number[] = [];
    let scale = 0;
    for (const entry of entries) {
      const p = await decode(entry.bytes);
      scale = JSON.parse(p.meta.privacy).noiseScale;
      expect(scale).toBe(noiseScale(1, cellsPerEvent(p.columnNames), epsilon));
      expect(cellsPerEvent(p.columnNames)).toBe(3); // x, latency, provider: a failure is another event
      draws.push(...noiseDraws(p, [xOf((entry.windowStart - T0) / 60_000)], 3.3));
      p.dispose();
    }
    await engine.close();
    expect(draws.length).toBe(300 * 66);
    const q = Math.exp(-1 / scale);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
    const expectedVar = (2 * q) / (1 - q) ** 2;
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(expectedVar / draws.length));
    expect(variance / expectedVar).toBeGreaterThan(0.93);
    expect(variance / expectedVar).toBeLessThan(1.07);
    // Goodness of fit: P(k) = (1−q)/(1+q)·q^|k|, cells −6..6 plus both pooled tails (14 dof).
    const pmf = (k: number) => ((1 - q) / (1 + q)) * q ** Math.abs(k);
    const tail = q ** 7 / (1 + q); // P(k ≥ 7) = P(k ≤ −7)
    const observed = new Map<number, number>();
    for (const d of draws) {
      const k = Math.max(-7, Math.min(7, d));
      observed.set(k, (observed.get(k) ?? 0) + 1);
    }
    let chi2 = 0;
    for (let k = -7; k <= 7; k++) {
      const expected = draws.length * (Math.abs(k) === 7 ? tail : pmf(k));
      chi2 += ((observed.get(k) ?? 0) - expected) ** 2 / expected;
    }
    expect(chi2).toBeLessThan(42.58); // χ²(14) at α = 1e-4
  });
});

describe('many devices', () => {
  test('1,000 noisy device windows merge into a histogram within the error bars the noise implies', async () => {
    const clock = { now: T0 };
    const epsilon = 1;
    const rows = 20;
    const engine = await dpEngine({ privacy: { mode: 'dp', epsilon, maxRowsPerWindow: rows, dailyEpsilon: 1e9, grid: xGrid } }, clock);
    const r = rng(77);
    const truth = new Array(xEdges.length + 1).fill(0);
    for (let device = 0; device < 1000; device++) {
      clock.now = T0 + device * 60_000;
      // Box–Muller normals: each device sees its own rows.
      const xs = Array.from({ length: rows }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
      xs.forEach((x) => truth[binOf(xEdges, x)]++);
      engine.record(...oneColumn(xs), { latencyMs: 2, provider: 'wasm' });
    }
    await engine.flush();
    const entries = await engine.outbox();
    expect(entries).toHaveLength(1000);
    const core = await loadCore();
    const merged = core.profileFromBytes(entries[0].bytes);
    for (const e of entries.slice(1)) {
      const p = core.profileFromBytes(e.bytes);
      merged.merge(p);
      p.dispose();
    }
    const x = merged.summary('x.0');
    if (x.kind === 'categorical') throw new Error('grid expected');
    // The error bar of a merged cell: N windows of independent noise, each of variance 2q/(1−q)².
    const b = noiseScale(rows, cellsPerEvent(merged.columnNames), epsilon);
    const q = Math.exp(-1 / b);
    const sigma = Math.sqrt((1000 * 2 * q) / (1 - q) ** 2);
    const z = x.counts!.map((c, i) => (c - truth[i]) / sigma);
    expect(Math.max(...z.map(Math.abs))).toBeLessThan(5);
    // Σz² over the 18 cells is χ²(18) when the error bars are right: too small means the noise
    // went missing, too large that it is wider than its scale says (both at α = 1e-4).
    const chi2 = z.reduce((a, v) => a + v * v, 0);
    expect(chi2).toBeGreaterThan(3.555);
    expect(chi2).toBeLessThan(49.19);
    merged.dispose();
    await engine.close();
  });
});

describe('contribution bound and budget', () => {
  test('a window records at most maxRowsPerWindow events and says how many it left out', async () => {
    const clock = { now: T0 };
    const store = await openStore(freshModelId('bound'));
    const engine = await dpEngine(
      { privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 5, dailyEpsilon: 1440, grid: xGrid } },
      clock,
      store,
    );
    engine.record(...oneColumn([0, 1, 2]), { latencyMs: 1 });
    engine.record(...oneColumn([0, 1, 2, 0.5]), { latencyMs: 1 });
    engine.record(...oneColumn([1]), { latencyMs: 1 });
    expect((await engine.status()).clippedThisWindow).toBe(3);
    await engine.checkpoint();
    const [saved] = await store.checkpoints();
    expect(saved.events).toBe(5);
    const p = await decode(saved.bytes); // the raw (not yet noised) window: exactly a uniform sample of 5 of the 8 rows
    expect(p.summary('x.0').count).toBe(5);
    p.dispose();
    await engine.close();
  });

  test('a day uploads ⌊dailyε/ε⌋ windows drawn uniformly over its slots, on a real IndexedDB', async () => {
    // 3-hour windows, ε 1 of a daily 2: each day 2 of its 8 windows leave. Over 60 days each slot
    // leaves 15 times in expectation; χ²(7) at α = 1e-4 is below 29.88. Uploading the first
    // windows of each day (the old budget) puts all 120 in slots 0 and 1.
    const hours3 = 3 * 3600_000;
    const day0 = Date.UTC(2026, 2, 2);
    const clock = { now: day0 };
    const engine = await dpEngine(
      { window: hours3, privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 5, dailyEpsilon: 2, grid: xGrid } },
      clock,
    );
    const perSlot = new Array(8).fill(0);
    try {
      for (let day = 0; day < 60; day++) {
        for (let slot = 0; slot < 8; slot++) {
          clock.now = day0 + day * 86_400_000 + slot * hours3 + 1000;
          engine.record(...oneColumn([slot / 4]), { latencyMs: 1 });
          clock.now += hours3; // closed in the next window: it still counts against its own day
          await engine.flush();
        }
        const left = await engine.status();
        expect(left.budgetLeft).toBe(2); // now in the next day: yesterday's late close left it whole
        expect(left.privateUploads).toBe('on');
      }
      const entries = await engine.outbox();
      expect(entries).toHaveLength(120);
      const days = new Map<number, number>();
      for (const e of entries) {
        const day = Math.floor(e.windowStart / 86_400_000);
        days.set(day, (days.get(day) ?? 0) + 1);
        perSlot[(e.windowStart - day * 86_400_000) / hours3]++;
      }
      expect([...days.values()].every((n) => n === 2)).toBe(true);
      const chi2 = perSlot.reduce((a, o) => a + (o - 15) ** 2 / 15, 0);
      expect(chi2).toBeLessThan(29.88);
    } finally {
      await engine.close();
    }
  });

  test('a window closed after UTC midnight spends from the day it started; a late one never resets today', async () => {
    const store = await openStore(freshModelId('midnight'));
    const day1 = Date.UTC(2026, 0, 1);
    const day2 = day1 + 86_400_000;
    // dailyEpsilon 1440 at ε 1 on 1-minute windows: every slot may leave, so only the spend decides.
    expect(await spendBudget(store, day2 - 60_000, 60_000, 1, 1440)).toBeNull();
    expect(await store.get<BudgetRecord>(BUDGET_KEY)).toMatchObject({ day: day1 / 86_400_000, spent: 1 });
    expect(await spendBudget(store, day2, 60_000, 1, 1440)).toBeNull();
    expect(await store.get<BudgetRecord>(BUDGET_KEY)).toMatchObject({ day: day2 / 86_400_000, spent: 1 });
    expect(await spendBudget(store, day2 - 120_000, 60_000, 1, 1440)).toBe('budget-spent');
    expect(await store.get<BudgetRecord>(BUDGET_KEY)).toMatchObject({ day: day2 / 86_400_000, spent: 1 });
    store.close();
  });

  test('once the daily ε is spent, windows stay on the device until the next UTC day', async () => {
    const clock = { now: T0 };
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
    // Two windows in the day's one slot (a flush closes the first early): the first spends the ε.
    const engine = await dpEngine(
      { window: 86_400_000, privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 5, dailyEpsilon: 1, grid: xGrid } },
      clock,
    );
    try {
      engine.record(...oneColumn([1]), { latencyMs: 1 });
      await engine.flush();
      engine.record(...oneColumn([2]), { latencyMs: 1 });
      await engine.flush();
      expect(await engine.outbox()).toHaveLength(1);
      const status = await engine.status();
      expect(status.budgetExhausted).toBe(true);
      expect(status.budgetLeft).toBe(0);
      expect(warnings.some((w) => /privacy budget is spent/.test(w))).toBe(true);
      clock.now = T0 + 24 * 3600_000;
      expect(await engine.status()).toMatchObject({ budgetExhausted: false, budgetLeft: 1 });
      engine.record(...oneColumn([1]), { latencyMs: 1 });
      await engine.flush();
      expect(await engine.outbox()).toHaveLength(2);
    } finally {
      console.warn = warn;
      await engine.close();
    }
  });

  test('when IndexedDB fails and the store falls back to memory, nothing private is uploaded', async () => {
    const modelId = freshModelId('dp-quota');
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...a: unknown[]) => void warnings.push(a.map(String).join(' '));
    // A storage bucket with a 1-byte quota: opening works, the first write fails.
    const bucket = await (navigator as unknown as StorageBucketsNavigator).storageBuckets.open(`dpquota${Date.now()}`, { quota: 1 });
    const own = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    Object.defineProperty(globalThis, 'indexedDB', { value: bucket.indexedDB, configurable: true });
    const store = await openStore(modelId);
    Object.defineProperty(globalThis, 'indexedDB', own);
    const clock = { now: T0 };
    const engine = await MonitorEngine.start(
      resolveOptions({
        modelId,
        modelVersion: '1',
        privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 5, dailyEpsilon: 1440, grid: xGrid },
      }),
      { core: await loadCore(), store, now: () => clock.now },
    );
    try {
      for (let load = 0; load < 5; load++) {
        clock.now = T0 + load * 60_000;
        engine.record(...oneColumn([load]), { latencyMs: 1 });
        await engine.flush();
      }
      expect(store.kind).toBe('memory');
      expect(await engine.outbox()).toHaveLength(0);
      const status = await engine.status();
      expect(status.privateUploads).toBe('no-persistent-budget');
      expect(warnings.filter((w) => /privacy budget cannot be kept/.test(w))).toHaveLength(1);
    } finally {
      console.warn = warn;
      await engine.close();
    }
  });
});

interface StorageBucketsNavigator {
  storageBuckets: { open(name: string, options: { quota: number }): Promise<{ indexedDB: IDBFactory }> };
}
