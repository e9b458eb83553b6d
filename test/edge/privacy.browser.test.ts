// What leaves the device in the private mode, checked on the payload bytes themselves: a canary
// value is nowhere in them; every cell carries noise of the stated two-sided geometric
// distribution; 1,000 devices merge into a histogram within the error bars that noise implies;
// the contribution bound and the daily ε budget hold.
import { describe, expect, test } from 'vitest';
import { loadCore, type Profile } from '../../src/core/index.ts';
import { createMonitor } from '../../src/edge/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions, type Grid, type MonitorOptions } from '../../src/edge/options.ts';
import { noiseScale } from '../../src/edge/privacy.ts';
import { LATENCY_EDGES } from '../../src/edge/schema.ts';
import { MemoryStore } from '../../src/edge/store.ts';
import { buildClassifier, churnClassifier } from '../fixtures/onnx/build-model.ts';
import { decode, featureRows, freshModelId, rng } from './helpers.ts';

/** One window for the whole test: a wall-clock window boundary cannot split what it records. */
const ONE_WINDOW = 2 ** 40;

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

/** An engine on a fake clock, in memory: each window stands for one device's upload. */
async function dpEngine(options: Partial<MonitorOptions>, clock: { now: number }, store = new MemoryStore()) {
  const core = await loadCore();
  return MonitorEngine.start(resolveOptions({ modelId: freshModelId('dp'), modelVersion: '1', ...options }), {
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
      expect(scale).toBe(noiseScale(1, p.columnNames.length, epsilon));
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
    const b = noiseScale(rows, merged.columnNames.length, epsilon);
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
    const store = new MemoryStore();
    const engine = await dpEngine({ privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 5, dailyEpsilon: 8, grid: xGrid } }, clock, store);
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

  test('once the daily ε is spent, windows stay on the device until the next UTC day', async () => {
    const clock = { now: T0 };
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
    const engine = await dpEngine({ privacy: { mode: 'dp', epsilon: 1, maxRowsPerWindow: 5, dailyEpsilon: 2, grid: xGrid } }, clock);
    try {
      for (let w = 0; w < 3; w++) {
        clock.now = T0 + w * 60_000;
        engine.record(...oneColumn([w]), { latencyMs: 1 });
        await engine.flush();
      }
      expect(await engine.outbox()).toHaveLength(2);
      const status = await engine.status();
      expect(status.budgetExhausted).toBe(true);
      expect(status.budgetLeft).toBe(0);
      expect(warnings.some((w) => /privacy budget is spent/.test(w))).toBe(true);
      clock.now = T0 + 24 * 3600_000;
      engine.record(...oneColumn([1]), { latencyMs: 1 });
      await engine.flush();
      expect(await engine.outbox()).toHaveLength(3);
      expect((await engine.status()).budgetExhausted).toBe(false);
    } finally {
      console.warn = warn;
      await engine.close();
    }
  });
});
