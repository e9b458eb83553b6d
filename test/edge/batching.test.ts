// Gathering small calls into batches must not change what is recorded: a window fed 1,000
// batch-1 calls, some batch-64 calls and a call of another shape summarizes exactly like the
// same rows handed to the core at once; rows still waiting in the batch go to their own window,
// into checkpoints, and keep their scores for feedback, whether the thread idles between calls
// (a full batch is handed over then) or never does (a call hands it over itself).
import { expect, test } from 'vitest';
import { loadCore, type Core, type Profile } from '../../src/core/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { MemoryStore } from '../../src/edge/store.ts';
import { featureRows } from './helpers.ts';

test('batched recording equals recording everything at once', async () => {
  const core = await loadCore();
  const clock = { now: Date.UTC(2026, 6, 1, 9, 0, 5) };
  const engine = await MonitorEngine.start(resolveOptions({ modelId: 'batching', modelVersion: '1', features: ['a', 'b', 'c', 'd'] }), {
    core,
    store: new MemoryStore(),
    now: () => clock.now,
  });
  const all: Float32Array[] = [];
  const probs: Float32Array[] = [];
  const call = (n: number, seed: number) => {
    const x = featureRows(n, seed);
    const p = new Float32Array(n * 3).map((_, i) => ((i * 7 + seed) % 10) / 10);
    all.push(x.slice());
    probs.push(p.slice());
    engine.record(
      { input: { type: 'float32', data: x, dims: [n, 4] } },
      { probabilities: { type: 'float32', data: p, dims: [n, 3] } },
      { latencyMs: seed % 5, provider: 'wasm' },
    );
    x.fill(-1); // the app reuses its buffers at once: what was recorded must be a copy
    p.fill(-1);
  };
  for (let i = 0; i < 1000; i++) call(1, i);
  for (let i = 0; i < 5; i++) call(64, 2000 + i);
  await engine.flush();
  const [entry] = await engine.outbox();
  const got = core.profileFromBytes(entry.bytes);

  const want = core.profile({ columns: got.schema().columns });
  const rows = all.reduce((n, a) => n + a.length / 4, 0);
  const x = new Float32Array(rows * 4);
  let at = 0;
  for (const a of all) x.set(a, at), (at += a.length);
  want.recordTable(x, ['a', 'b', 'c', 'd']);
  const p = new Float32Array(rows * 3);
  at = 0;
  for (const a of probs) p.set(a, at), (at += a.length);
  want.recordTable(p, ['probabilities.score.0', 'probabilities.score.1', 'probabilities.score.2']);

  for (const name of ['a', 'b', 'c', 'd', 'probabilities.score.0', 'probabilities.score.2']) {
    // Buckets, counts and extremes are exact; sums and moments agree up to the order of additions.
    type Moments = { sum: number; mean: number; variance: number; std: number };
    const { sum: s1, mean: m1, variance: v1, std: d1, ...g } = got.summary(name) as Moments;
    const { sum: s2, mean: m2, variance: v2, std: d2, ...w } = want.summary(name) as Moments;
    expect(g).toEqual(w);
    for (const [a, b] of [
      [s1, s2],
      [m1, m2],
      [v1, v2],
      [d1, d2],
    ])
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
  }
  expect(got.summary('health.latency_ms').count).toBe(1005);
  expect(got.summary('probabilities.predicted').count).toBe(rows);
  got.dispose();
  want.dispose();
  await engine.close();
});

// ---- Rows wait in the window's batch buffers; every point that reads the window must see them. ----

const classes = ['0', '1', '2'];
const scoreColumns = classes.map((c) => `probabilities.score.${c}`);

interface Call {
  x: Float32Array;
  p: Float32Array;
  rows: number;
  latencyMs: number;
}

/** A call's rows: features from the shared generator, scores that differ per row and per call. */
function makeCall(rows: number, seed: number): Call {
  const p = new Float32Array(rows * 3).map((_, i) => ((i * 7 + seed * 3) % 11) / 11);
  return { x: featureRows(rows, seed), p, rows, latencyMs: (seed % 9) + 0.25 };
}

/** What a window holding exactly `calls` must summarize to: every row handed to the core at once. */
function truthOf(core: Core, got: Profile, calls: Call[]): Profile {
  const want = core.profile({ columns: got.schema().columns });
  const x = Float32Array.from(calls.flatMap((c) => Array.from(c.x)));
  const p = Float32Array.from(calls.flatMap((c) => Array.from(c.p)));
  want.recordTable(x, ['a', 'b', 'c', 'd']);
  want.recordTable(p, scoreColumns);
  const predicted: string[] = [];
  const confidence: number[] = [];
  for (let r = 0; r < p.length / 3; r++) {
    const row = Array.from(p.subarray(r * 3, r * 3 + 3));
    const best = row.indexOf(Math.max(...row));
    predicted.push(classes[best]);
    confidence.push(row[best]);
  }
  want.recordLabels('probabilities.predicted', predicted);
  want.recordNumbers('probabilities.confidence', Float32Array.from(confidence));
  want.recordNumbers('health.latency_ms', Float64Array.from(calls.map((c) => c.latencyMs)));
  want.recordLabels(
    'health.provider',
    calls.map(() => 'wasm'),
  );
  return want;
}

/** Counts, buckets, extremes and labels exact; sums and moments up to the order of additions. */
function expectSameWindow(got: Profile, want: Profile, skip = (_name: string) => false): void {
  for (const { name } of want.columns) {
    if (skip(name)) continue;
    const g = got.summary(name) as unknown as Record<string, unknown>;
    const w = want.summary(name) as unknown as Record<string, unknown>;
    for (const key of new Set([...Object.keys(g), ...Object.keys(w)])) {
      if (['sum', 'mean', 'variance', 'std'].includes(key) && typeof w[key] === 'number' && !Number.isNaN(w[key])) {
        expect(Math.abs((g[key] as number) - (w[key] as number)), `${name}.${key}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(w[key] as number)),
        );
      } else {
        expect(g[key], `${name}.${key}`).toEqual(w[key]);
      }
    }
  }
}

async function startEngine(clock: { now: number }, store = new MemoryStore()) {
  const core = await loadCore();
  const engine = await MonitorEngine.start(
    resolveOptions({ modelId: 'buffering', modelVersion: '1', features: ['a', 'b', 'c', 'd'], window: 60_000, checkpointEvery: 3_600_000 }),
    { core, store, now: () => clock.now },
  );
  const record = (c: Call) => {
    const x = c.x.slice();
    const p = c.p.slice();
    const id = engine.record(
      { input: { type: 'float32', data: x, dims: [c.rows, 4] } },
      { probabilities: { type: 'float32', data: p, dims: [c.rows, 3] } },
      { latencyMs: c.latencyMs, provider: 'wasm' },
    );
    x.fill(-1); // the app's buffers are reused at once
    p.fill(-1);
    return id;
  };
  return { core, engine, store, record };
}

test('rows still buffered when a window ends go to the window they were seen in, to the millisecond', async () => {
  const minute = Date.UTC(2026, 6, 1, 9, 0, 0);
  const clock = { now: minute + 5_000 };
  const { core, engine, record } = await startEngine(clock);
  // 300 calls: one full batch of 256 handed over, 44 still buffered at the boundary; the last
  // call comes 1 ms before the window's end.
  const first = Array.from({ length: 300 }, (_, i) => makeCall(i % 50 === 0 ? 3 : 1, i));
  for (const c of first.slice(0, 299)) record(c);
  clock.now = minute + 59_999;
  record(first[299]);
  // Exactly at the end: the next window. Its calls stay buffered until flush.
  clock.now = minute + 60_000;
  const second = Array.from({ length: 40 }, (_, i) => makeCall(1, 1000 + i));
  for (const c of second) record(c);
  await engine.flush();
  const entries = await engine.outbox();
  expect(entries.map((e) => [e.windowStart, e.windowEnd])).toEqual([
    [minute, minute + 60_000],
    [minute + 60_000, minute + 120_000],
  ]);
  for (const [entry, calls] of [
    [entries[0], first],
    [entries[1], second],
  ] as const) {
    const got = core.profileFromBytes(entry.bytes);
    const want = truthOf(core, got, calls);
    expectSameWindow(got, want);
    expect(got.summary('a').count).toBe(calls.reduce((n, c) => n + c.rows, 0));
    got.dispose();
    want.dispose();
  }
  await engine.close();
});

test('a checkpoint holds the rows still buffered, and later rows join them', async () => {
  const clock = { now: Date.UTC(2026, 6, 1, 9, 0, 5) };
  const { core, engine, store, record } = await startEngine(clock);
  const calls = Array.from({ length: 100 }, (_, i) => makeCall(1, i));
  for (const c of calls) record(c); // fewer than a batch: nothing has reached the core yet
  await engine.checkpoint();
  const read = async () => {
    const [c] = await store.checkpoints();
    return core.profileFromBytes(c.bytes);
  };
  let got = await read();
  let want = truthOf(core, got, calls);
  expectSameWindow(got, want);
  expect((await store.checkpoints())[0].events).toBe(100);
  got.dispose();
  want.dispose();

  const more = Array.from({ length: 20 }, (_, i) => makeCall(i === 0 ? 64 : 1, 500 + i));
  for (const c of more) record(c);
  await engine.checkpoint();
  got = await read();
  want = truthOf(core, got, [...calls, ...more]);
  expectSameWindow(got, want);
  got.dispose();
  want.dispose();
  await engine.close();
});

test("feedback finds buffered predictions and earlier windows' predictions, with their exact scores", async () => {
  const minute = Date.UTC(2026, 6, 1, 9, 0, 0);
  const clock = { now: minute + 1_000 };
  const { core, engine, record } = await startEngine(clock);
  const early = makeCall(5, 1);
  const earlyId = record(early);
  clock.now = minute + 61_000; // the next window; the early prediction's window closes
  const late = makeCall(1, 2);
  const lateId = record(late); // still buffered when its label arrives
  const truthEarly = ['2', '0', '1', '1', '0'];
  expect(engine.feedback(earlyId, truthEarly)).toBe(true);
  expect(engine.feedback(lateId, 1)).toBe(true);
  expect(engine.feedback(lateId, 1)).toBe(false); // a prediction takes its labels once
  await engine.flush();
  const entries = await engine.outbox();
  const got = core.profileFromBytes(entries.at(-1)!.bytes);
  // Labels land in the window open when they arrive: the second one.
  const confusion = new Map<string, number>();
  const rows = [...truthEarly.map((t, r) => ({ t, s: Array.from(early.p.subarray(r * 3, r * 3 + 3)) })), { t: '1', s: Array.from(late.p) }];
  for (const { t, s } of rows) {
    const key = `${t}|${classes[s.indexOf(Math.max(...s))]}`;
    confusion.set(key, (confusion.get(key) ?? 0) + 1);
  }
  const c = got.summary('feedback.probabilities.confusion');
  if (c.kind !== 'categorical') throw new Error('categorical expected');
  for (const { value, count } of c.items) expect(count, value).toBe(confusion.get(value) ?? 0);
  // The score of class 2 for rows labelled 0, exactly as the model gave them.
  const s = got.summary('feedback.probabilities.score.2.label.0');
  const expected = rows.filter((r) => r.t === '0').map((r) => r.s[2]);
  if (s.kind === 'categorical') throw new Error('grid expected');
  expect(s.count).toBe(expected.length);
  expect(s.min).toBe(Math.min(...expected));
  expect(s.max).toBe(Math.max(...expected));
  got.dispose();
  await engine.close();
});

test('a full batch waits for the thread to idle, and nothing is lost or doubled either way', async () => {
  const clock = { now: Date.UTC(2026, 6, 1, 9, 0, 5) };
  const { core, engine, record } = await startEngine(clock);
  const idle = () => new Promise((r) => setTimeout(r, 5));
  const calls = Array.from({ length: 1500 }, (_, i) => makeCall(i % 97 === 0 ? 2 : 1, i));
  const ids: string[] = [];
  // 300 back to back (one full batch waits), an idle turn (it is handed over), then 1,200 back
  // to back (past the waiting bound, so a call hands it over itself), then feedback for calls on
  // both sides of every hand-over.
  for (const c of calls.slice(0, 300)) ids.push(record(c));
  await idle();
  for (const c of calls.slice(300)) ids.push(record(c));
  const labelled = [0, 255, 256, 299, 300, 1023, 1024, 1499];
  for (const i of labelled) expect(engine.feedback(ids[i], Array(calls[i].rows).fill(0)), `call ${i}`).toBe(true);
  await engine.flush();
  const [entry] = await engine.outbox();
  const got = core.profileFromBytes(entry.bytes);
  const want = truthOf(core, got, calls);
  expect(want.summary('a').count).toBe(calls.reduce((n, c) => n + c.rows, 0));
  // Feedback is checked on its own below: the truth of the recorded rows leaves it empty.
  expectSameWindow(got, want, (name) => name.startsWith('feedback.'));
  const labelledRows = labelled.reduce((n, i) => n + calls[i].rows, 0);
  expect(got.summary('feedback.probabilities.confusion').count).toBe(labelledRows);
  got.dispose();
  want.dispose();
  await engine.close();
});

test('an idle thread hands over the batch of the window open then, also right after the window changed', async () => {
  const core = await loadCore();
  // The real core, with the rows each profile receives counted (nothing replaced).
  let handedOver = 0;
  const counting = new Proxy(core, {
    get(target, prop) {
      if (prop === 'profile') {
        return (options: Parameters<Core['profile']>[0]) => {
          const p = target.profile(options);
          const recordTable = p.recordTable.bind(p);
          p.recordTable = (values, names) => {
            if (names[0] === 'a') handedOver += values.length / names.length;
            recordTable(values, names);
          };
          return p;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const minute = Date.UTC(2026, 6, 1, 9, 0, 0);
  const clock = { now: minute + 5_000 };
  const engine = await MonitorEngine.start(
    resolveOptions({ modelId: 'idle-handover', modelVersion: '1', features: ['a', 'b', 'c', 'd'], checkpointEvery: 3_600_000 }),
    { core: counting, store: new MemoryStore(), now: () => clock.now },
  );
  const record = (c: Call) =>
    engine.record(
      { input: { type: 'float32', data: c.x, dims: [c.rows, 4] } },
      { probabilities: { type: 'float32', data: c.p, dims: [c.rows, 3] } },
      { latencyMs: c.latencyMs },
    );
  // The first checkpoint comes at once (on the first idle turn); after it the next one, which
  // would hand the batch over too, is an hour away.
  const idle = () => new Promise((r) => setTimeout(r, 5));
  record(makeCall(1, 0));
  await idle();
  expect(handedOver).toBe(1);
  for (let i = 1; i <= 300; i++) record(makeCall(1, i)); // a full batch waits for the thread to idle
  expect(handedOver).toBe(1);
  clock.now = minute + 60_000;
  for (let i = 0; i < 300; i++) record(makeCall(1, 300 + i)); // closes the first window; the second's batch fills too
  expect(handedOver).toBe(301);
  await idle();
  expect(handedOver).toBe(601);
  await engine.close();
});

test('a call that fits in part (float64 scores after float32 ones) leaves nothing of itself behind', async () => {
  const clock = { now: Date.UTC(2026, 6, 1, 9, 0, 5) };
  const { core, engine, record } = await startEngine(clock);
  const calls = Array.from({ length: 21 }, (_, i) => makeCall(1, i));
  for (const c of calls.slice(0, 10)) record(c);
  // Its input stacks onto the batch, its scores do not (another element type): the batch is
  // handed over and this call starts the next one, its input copied once, not twice.
  const odd = calls[10];
  engine.record(
    { input: { type: 'float32', data: odd.x.slice(), dims: [1, 4] } },
    { probabilities: { type: 'float64', data: Float64Array.from(odd.p), dims: [1, 3] } },
    { latencyMs: odd.latencyMs, provider: 'wasm' },
  );
  for (const c of calls.slice(11)) record(c);
  await engine.flush();
  const [entry] = await engine.outbox();
  const got = core.profileFromBytes(entry.bytes);
  const want = truthOf(core, got, calls);
  expect(got.summary('a').count).toBe(21);
  expectSameWindow(got, want);
  got.dispose();
  want.dispose();
  await engine.close();
});

test('a plan of another shape (two inputs, a rank-1 regression output) is batched exactly too', async () => {
  // The usual one-input/one-output plan takes its own short path through the batch; every other
  // plan takes the general one, checked here the same way.
  const core = await loadCore();
  const engine = await MonitorEngine.start(resolveOptions({ modelId: 'batching-general', modelVersion: '1' }), {
    core,
    store: new MemoryStore(),
    now: () => Date.UTC(2026, 6, 1, 9, 0, 5),
  });
  const sizes = [...Array<number>(700).fill(1), 8, 8, 3, ...Array<number>(300).fill(1)];
  const xs: Float32Array[] = [];
  const extras: Float32Array[] = [];
  const values: Float32Array[] = [];
  sizes.forEach((n, i) => {
    const x = featureRows(n, i);
    const extra = new Float32Array(n * 2).map((_, j) => ((i * 13 + j * 5) % 17) - 8.5);
    const value = new Float32Array(n).map((_, j) => ((i + j) % 23) / 4);
    xs.push(x.slice());
    extras.push(extra.slice());
    values.push(value.slice());
    engine.record(
      { input: { type: 'float32', data: x, dims: [n, 4] }, extra: { type: 'float32', data: extra, dims: [n, 2] } },
      { value: { type: 'float32', data: value, dims: [n] } },
      { latencyMs: i % 7, provider: 'wasm' },
    );
    x.fill(-1);
    extra.fill(-1);
    value.fill(-1);
  });
  await engine.flush();
  const [entry] = await engine.outbox();
  const got = core.profileFromBytes(entry.bytes);
  const want = core.profile({ columns: got.schema().columns });
  const join = (parts: Float32Array[]) => Float32Array.from(parts.flatMap((p) => Array.from(p)));
  want.recordTable(join(xs), ['input.0', 'input.1', 'input.2', 'input.3']);
  want.recordTable(join(extras), ['extra.0', 'extra.1']);
  want.recordNumbers('value', join(values));
  want.recordNumbers('health.latency_ms', Float64Array.from(sizes.map((_, i) => i % 7)));
  want.recordLabels(
    'health.provider',
    sizes.map(() => 'wasm'),
  );
  expect(got.summary('value').count).toBe(sizes.reduce((a, b) => a + b, 0));
  expectSameWindow(got, want);
  got.dispose();
  want.dispose();
  await engine.close();
});

test('a call whose output rows differ from its input rows is recorded whole, between batched calls', async () => {
  const clock = { now: Date.UTC(2026, 6, 1, 9, 0, 5) };
  const { core, engine, record } = await startEngine(clock);
  const calls = Array.from({ length: 41 }, (_, i) => makeCall(1, i));
  // Two input rows, one output row: not the short path's shape, so it takes the general one.
  calls[20] = { ...makeCall(1, 20), x: featureRows(2, 20) };
  for (const c of calls.slice(0, 20)) record(c);
  engine.record(
    { input: { type: 'float32', data: calls[20].x.slice(), dims: [2, 4] } },
    { probabilities: { type: 'float32', data: calls[20].p.slice(), dims: [1, 3] } },
    { latencyMs: calls[20].latencyMs, provider: 'wasm' },
  );
  for (const c of calls.slice(21)) record(c);
  await engine.flush();
  const [entry] = await engine.outbox();
  const got = core.profileFromBytes(entry.bytes);
  const want = truthOf(core, got, calls);
  expect(got.summary('a').count).toBe(42);
  expect(got.summary('probabilities.score.0').count).toBe(41);
  expectSameWindow(got, want);
  got.dispose();
  want.dispose();
  await engine.close();
});
