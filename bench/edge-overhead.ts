// What monitoring costs an inference, measured in the system's Chromium: instrument()'s run
// versus the bare session.run inside one worker (batch 1 and 64, interleaved blocks of calls),
// with steps in between that place the cost, and the page's longest main-thread task while 1,000
// monitored predictions run in the worker.
// Everything printed is a measurement; a missed goal is reported as MISS, never thrown.
// EDGE_BENCH_CALLS, EDGE_BENCH_WARMUP and EDGE_BENCH_VARIANTS (comma-separated) override the defaults.
import { loadavg } from 'node:os';
import type { Browser } from 'playwright';
import { buildClassifier, churnClassifier } from '../test/fixtures/onnx/build-model.ts';
import type { VariantTiming } from '../test/edge/harness/bench.worker.ts';
import { launchChromium, startHarness } from '../test/edge/harness/serve.ts';

/** Timed calls per variant: 16 full batches of the recorder's 256 rows at batch 1. */
const CALLS = Number(process.env.EDGE_BENCH_CALLS ?? 4096);
/** Untimed calls first, enough for the batch path to be compiled and warm. */
const WARMUP = Number(process.env.EDGE_BENCH_WARMUP ?? 1024);
const VARIANTS = (process.env.EDGE_BENCH_VARIANTS ?? 'bare,wrapper,wrapper+ids,wrapper+copy,monitored').split(',');
const MAIN_THREAD_CALLS = 1000;
const GOAL_OVERHEAD_BATCH1 = 0.02;

const WHAT: Record<string, string> = {
  bare: '`session.run`',
  wrapper: 'async wrapper, 2 × `performance.now`, nothing recorded',
  'wrapper+ids': 'wrapper + outputs → id in a WeakMap',
  'wrapper+copy': 'wrapper + inputs and scores copied into reused buffers',
  monitored: '`instrument()`\'s `run` (everything)',
};

type BenchWindow = {
  edge: {
    benchWorker(): { overhead(model: Uint8Array, batch: number, calls: number, warmup: number, variants: string[]): Promise<Record<string, VariantTiming>> };
    mainThreadDuring(calls: number, batch: number): Promise<{ longestGapMs: number; longTasks: number; totalMs: number }>;
  };
  edgeReady?: boolean;
};

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const plus = (ms: number) => `${ms >= 0 ? '+' : '−'}${us(Math.abs(ms))}`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

export async function run(): Promise<void> {
  const { url, vite } = await startHarness({ name: 'bench', isolated: process.env.EDGE_BENCH_ISOLATED !== '0' });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as BenchWindow).edgeReady === true, null, { timeout: 120_000 });
    const model = Array.from(buildClassifier(churnClassifier));
    console.log('# Monitoring overhead per inference (Chromium worker, onnxruntime-web wasm, 4→3 classifier)');
    console.log(`${CALLS} timed calls per variant after ${WARMUP} warm-up calls, in interleaved blocks of 16. median: of the blocks' mean per call; ` +
      'mean: over every timed call (includes each batch handed to the core, and every burst of load from elsewhere); best: the fastest block; ' +
      'best/256: the fastest group of 256 consecutive calls (at batch 1 each holds one full batch handed to the core).');
    console.log(`load average before: ${load()}\n`);
    console.log('| batch | variant | median | mean | best | best/256 | median − bare | mean − bare | best − bare | best/256 − bare | median vs bare |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const batch of [1, 64]) {
      const r = await page.evaluate(
        async ({ model, batch, calls, warmup, variants }) =>
          (window as unknown as BenchWindow).edge.benchWorker().overhead(Uint8Array.from(model), batch, calls, warmup, variants),
        { model, batch, calls: CALLS, warmup: WARMUP, variants: VARIANTS },
      );
      const bare = r.bare;
      for (const v of VARIANTS) {
        const t = r[v];
        const vs = bare && v !== 'bare' ? [plus(t.median - bare.median), plus(t.mean - bare.mean), plus(t.best - bare.best), plus(t.best256 - bare.best256)] : ['', '', '', ''];
        let goal = '';
        if (v === 'monitored' && bare) {
          const ratio = t.median / bare.median - 1;
          goal = `+${(ratio * 100).toFixed(0)}%${batch === 1 ? (ratio <= GOAL_OVERHEAD_BATCH1 ? ' OK' : ' MISS') + ` (goal ≤ ${GOAL_OVERHEAD_BATCH1 * 100}%)` : ''}`;
        }
        console.log(`| ${batch} | ${WHAT[v] ?? v} | ${us(t.median)} | ${us(t.mean)} | ${us(t.best)} | ${us(t.best256)} | ${vs.join(' | ')} | ${goal} |`);
      }
    }
    console.log(`\nload average after: ${load()}`);
    const m = await page.evaluate(({ calls }) => (window as unknown as BenchWindow).edge.mainThreadDuring(calls, 1), { calls: MAIN_THREAD_CALLS });
    console.log(`\n# Main thread while ${MAIN_THREAD_CALLS} predictions run through createMonitor (batch 1)`);
    console.log(`longest gap between two turns of the page's event loop: ${m.longestGapMs.toFixed(1)} ms; long tasks (> 50 ms): ${m.longTasks}; ` +
      `${MAIN_THREAD_CALLS} predictions took ${m.totalMs.toFixed(0)} ms (${us(m.totalMs / MAIN_THREAD_CALLS)} per round trip)\n`);
  } finally {
    await browser?.close();
    await vite.close();
  }
}

// Run directly: node --import tsx bench/edge-overhead.ts
if (import.meta.url === `file://${process.argv[1]}`) await run();
