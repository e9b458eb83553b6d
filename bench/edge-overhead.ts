// What monitoring costs an inference, measured in the system's Chromium: instrument()'s run
// versus the bare session.run inside one worker (batch 1 and 64, median of interleaved calls),
// and the page's longest main-thread task while 1,000 monitored predictions run in the worker.
// Everything printed is a measurement; a missed goal is reported as MISS, never thrown.
import type { Browser } from 'playwright';
import { buildClassifier, churnClassifier } from '../test/fixtures/onnx/build-model.ts';
import { launchChromium, startHarness } from '../test/edge/harness/serve.ts';

const CALLS = 1000;
const GOAL_OVERHEAD_BATCH1 = 0.02;

type BenchWindow = {
  edge: {
    benchWorker(): { overhead(model: Uint8Array, batch: number, calls: number): Promise<{ bare: number; monitored: number; p90bare: number; p90monitored: number }> };
    mainThreadDuring(calls: number, batch: number): Promise<{ longestGapMs: number; longTasks: number; totalMs: number }>;
  };
  edgeReady?: boolean;
};

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

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
    console.log(`${CALLS} calls each, timed in interleaved blocks of 20; median and p90 over blocks of the mean per call, after 200 warm-up calls\n`);
    console.log('| batch | bare session.run | monitored run | overhead (median) | p90 bare | p90 monitored | goal |');
    console.log('|---|---|---|---|---|---|---|');
    for (const batch of [1, 64]) {
      const r = await page.evaluate(
        async ({ model, batch, calls }) => (window as unknown as BenchWindow).edge.benchWorker().overhead(Uint8Array.from(model), batch, calls),
        { model, batch, calls: CALLS },
      );
      const overhead = r.monitored / r.bare - 1;
      const goal = batch === 1 ? `${overhead <= GOAL_OVERHEAD_BATCH1 ? 'OK' : 'MISS'} (≤ ${GOAL_OVERHEAD_BATCH1 * 100}%)` : '—';
      console.log(`| ${batch} | ${us(r.bare)} | ${us(r.monitored)} | ${(overhead * 100).toFixed(1)}% (+${us(r.monitored - r.bare)}) | ${us(r.p90bare)} | ${us(r.p90monitored)} | ${goal} |`);
    }
    const m = await page.evaluate(({ calls }) => (window as unknown as BenchWindow).edge.mainThreadDuring(calls, 1), { calls: CALLS });
    console.log(`\n# Main thread while ${CALLS} predictions run through createMonitor (batch 1)`);
    console.log(`longest gap between two turns of the page's event loop: ${m.longestGapMs.toFixed(1)} ms; long tasks (> 50 ms): ${m.longTasks}; ` +
      `${CALLS} predictions took ${m.totalMs.toFixed(0)} ms (${us(m.totalMs / CALLS)} per round trip)\n`);
  } finally {
    await browser?.close();
    await vite.close();
  }
}

// Run directly: node --import tsx bench/edge-overhead.ts
if (import.meta.url === `file://${process.argv[1]}`) await run();
