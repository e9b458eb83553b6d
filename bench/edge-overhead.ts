// What monitoring costs an inference, measured in the system's Chromium: instrument()'s run
// versus the bare session.run inside one worker (batch 1 and 64, interleaved blocks of calls),
// with steps in between that place the cost, and the page's longest main-thread task while 1,000
// monitored predictions run in the worker.
// Everything printed is a measurement; a missed goal is reported as MISS, never thrown.
// Two models, side by side in the same run: the tiny fixture classifier (a ~20 µs session.run, so
// any fixed cost per call is a large share: the worst case) and a tabular MLP of a realistic size
// for a web edge model, built in memory from seeded weights (test/fixtures/onnx/build-mlp.ts), with
// the same input and output shape so the same recording paths run.
// EDGE_BENCH_CALLS, EDGE_BENCH_WARMUP (tiny model), EDGE_BENCH_MLP (layer widths), EDGE_BENCH_MLP_CALLS,
// EDGE_BENCH_MLP_WARMUP, EDGE_BENCH_MODELS (tiny,mlp) and EDGE_BENCH_VARIANTS (comma-separated)
// override the defaults.
import { loadavg } from 'node:os';
import type { Browser } from 'playwright';
import { buildMlpClassifier } from '../test/fixtures/onnx/build-mlp.ts';
import { buildClassifier, churnClassifier } from '../test/fixtures/onnx/build-model.ts';
import type { VariantTiming } from '../test/edge/harness/bench.worker.ts';
import { pairedDifference } from './lib/paired.ts';
import { launchChromium, startHarness } from '../test/edge/harness/serve.ts';

/** Timed calls per variant on the tiny model: 16 full batches of the recorder's 256 rows at batch 1. */
const CALLS = Number(process.env.EDGE_BENCH_CALLS ?? 4096);
/** Untimed calls first, enough for the batch path to be compiled and warm. */
const WARMUP = Number(process.env.EDGE_BENCH_WARMUP ?? 1024);
const VARIANTS = (process.env.EDGE_BENCH_VARIANTS ?? 'bare,control,wrapper,wrapper+ids,wrapper+copy,monitored').split(',');
/**
 * Layer widths of the realistic model: a tabular MLP, 20 features → 3 hidden layers of 1,024 →
 * 10 classes (2.1 M float weights, 8 MiB), whose session.run takes about 0.3 ms at batch 1 and
 * 13 ms at batch 64 on the 2-core machine the docs quote. Its calls are fewer because each costs
 * 10–500× the tiny model's.
 */
const MLP_WIDTHS = (process.env.EDGE_BENCH_MLP ?? '20,1024,1024,1024,10').split(',').map(Number);
/** Batch 1 is cheap and its overhead the smallest share, so it gets four times the calls (the interval narrows by half). */
const mlpCalls = (batch: number) => Number(process.env.EDGE_BENCH_MLP_CALLS ?? (batch === 1 ? 4096 : 1024));
/** Warm-up: 1,024 rows (four batches handed to the core) but at least 64 calls, unless set. */
const mlpWarmup = (batch: number) => Number(process.env.EDGE_BENCH_MLP_WARMUP ?? Math.max(64, Math.ceil(1024 / batch)));
/** Which models to measure: `tiny` (the fixture classifier, the worst case), `mlp` (a realistic size). */
const MODELS = (process.env.EDGE_BENCH_MODELS ?? 'tiny,mlp').split(',');
/** Batch sizes to measure (EDGE_BENCH_BATCHES, e.g. `1` for a quick look at the goal's case). */
const BATCHES = (process.env.EDGE_BENCH_BATCHES ?? '1,64').split(',').map(Number);
/** EDGE_BENCH_ROUND_TRIP=0 leaves out the round trip from the page. */
const ROUND_TRIP = process.env.EDGE_BENCH_ROUND_TRIP !== '0';
const MAIN_THREAD_CALLS = 1000;
const GOAL_OVERHEAD_BATCH1 = 0.02;

const WHAT: Record<string, string> = {
  bare: '`session.run`',
  control: 'control: `session.run` again',
  wrapper: 'async wrapper, 2 × `performance.now`, nothing recorded',
  'wrapper+ids': 'wrapper + outputs → id in a WeakMap',
  'wrapper+copy': 'wrapper + inputs and scores copied into reused buffers',
  monitored: "`instrument()`'s `run` (everything)",
};

type Shape = { features: number; classes: number };

type BenchWindow = {
  edge: {
    benchWorker(): {
      overhead(
        model: Uint8Array,
        shape: Shape,
        batch: number,
        calls: number,
        warmup: number,
        variants: string[],
      ): Promise<Record<string, VariantTiming>>;
    };
    mainThreadDuring(calls: number, batch: number): Promise<{ longestGapMs: number; longTasks: number; totalMs: number }>;
    predictOverhead(model: Uint8Array, shape: Shape, batch: number, calls: number, warmup: number): Promise<Record<string, VariantTiming>>;
  };
  edgeReady?: boolean;
};

interface BenchModel {
  name: string;
  /** The serialized model, base64 (one string crosses into the page faster than a long array). */
  model: string;
  shape: Shape;
  calls: (batch: number) => number;
  warmup: (batch: number) => number;
}

const HEADER =
  '| batch | variant | median | mean | best | best/256 | overhead (paired median) | 95% interval | overhead % |\n|---|---|---|---|---|---|---|---|---|';

/** One variant's line; with `bare`, its paired overhead (and with `goal`, the verdict at batch 1). */
function row(batch: number, label: string, t: VariantTiming, bare?: VariantTiming, goal = false): string {
  const head = `| ${batch} | ${label} | ${us(t.median)} | ${us(t.mean)} | ${us(t.best)} | ${us(t.best256)} |`;
  if (!bare) return `${head}  |  |  |`;
  const d = pairedDifference(bare.blocks, t.blocks);
  const ratio = d.median / bare.median;
  const verdict = goal && batch === 1 ? ` ${ratio <= GOAL_OVERHEAD_BATCH1 ? 'PASS' : 'MISS'} (goal ≤ ${GOAL_OVERHEAD_BATCH1 * 100}%)` : '';
  return `${head} ${plus(d.median)} | ${plus(d.low)} … ${plus(d.high)} | ${percent(ratio)}${verdict} |`;
}

function summaryRow(
  model: string,
  batch: number,
  where: string,
  bare: VariantTiming,
  monitored: VariantTiming,
  control?: VariantTiming,
): string {
  const d = pairedDifference(bare.blocks, monitored.blocks);
  const ratio = d.median / bare.median;
  const floor = control ? plus(pairedDifference(bare.blocks, control.blocks).median) : '—';
  const verdict = batch === 1 ? (ratio <= GOAL_OVERHEAD_BATCH1 ? 'PASS' : 'MISS') : '—';
  return `| ${model} | ${batch} | ${where} | ${us(bare.median)} | ${plus(d.median)} | ${plus(d.low)} … ${plus(d.high)} | ${percent(ratio)} | ${floor} | ${verdict} |`;
}

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const plus = (ms: number) => `${ms >= 0 ? '+' : '−'}${us(Math.abs(ms))}`;
const percent = (ratio: number) =>
  `${ratio >= 0 ? '+' : '−'}${Math.abs(ratio * 100).toFixed(ratio !== 0 && Math.abs(ratio) < 0.1 ? 1 : 0)}%`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function benchModels(): BenchModel[] {
  const tiny = buildClassifier(churnClassifier);
  const mlp = buildMlpClassifier({ widths: MLP_WIDTHS, seed: 20261123 });
  const models: Record<string, BenchModel> = {
    tiny: {
      name: `tiny ${churnClassifier.weights.length}→${churnClassifier.bias.length} (${(tiny.length / 1024).toFixed(1)} KiB)`,
      model: base64(tiny),
      shape: { features: 4, classes: 3 },
      calls: () => CALLS,
      warmup: () => WARMUP,
    },
    mlp: {
      name: `MLP ${MLP_WIDTHS.join('→')} (${(mlp.length / 1024).toFixed(0)} KiB)`,
      model: base64(mlp),
      shape: { features: MLP_WIDTHS[0], classes: MLP_WIDTHS[MLP_WIDTHS.length - 1] },
      calls: mlpCalls,
      warmup: mlpWarmup,
    },
  };
  for (const name of MODELS) if (!models[name]) throw new Error(`unknown model '${name}' (known: ${Object.keys(models).join(', ')})`);
  return MODELS.map((name) => models[name]);
}

export async function run(): Promise<void> {
  const { url, vite } = await startHarness({ name: 'bench', isolated: process.env.EDGE_BENCH_ISOLATED !== '0' });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as BenchWindow).edgeReady === true, null, { timeout: 120_000 });
    const summary: string[] = [];
    for (const m of benchModels()) {
      console.log(`# Monitoring overhead per inference, ${m.name} (Chromium worker, onnxruntime-web wasm, one thread)`);
      console.log(
        `${m.calls(1)} (batch 1) and ${m.calls(64)} (batch 64) timed calls per variant after ${m.warmup(1)} and ${m.warmup(64)} warm-up calls, in interleaved blocks of 16. ` +
          "median: of the blocks' mean per call; mean: over every timed call (includes each batch handed to the core, and every burst of load from elsewhere); " +
          'best: the fastest block; best/256: the fastest group of 256 consecutive calls (at batch 1 each holds one full batch handed to the core); ' +
          'overhead: the median of the per-round differences from bare (blocks that ran back to back), with its 95% interval.',
      );
      console.log(`load average before: ${load()}\n`);
      console.log("## In the worker: `instrument()`'s `run` versus the bare `session.run` on the same session\n");
      console.log(HEADER);
      for (const batch of BATCHES) {
        const r = await page.evaluate(
          async ({ model, shape, batch, calls, warmup, variants }) =>
            (window as unknown as BenchWindow).edge.benchWorker().overhead(
              Uint8Array.from(atob(model), (c) => c.charCodeAt(0)),
              shape,
              batch,
              calls,
              warmup,
              variants,
            ),
          { model: m.model, shape: m.shape, batch, calls: m.calls(batch), warmup: m.warmup(batch), variants: VARIANTS },
        );
        for (const v of VARIANTS) console.log(row(batch, WHAT[v] ?? v, r[v], v === 'bare' ? undefined : r.bare, v === 'monitored'));
        if (r.bare && r.monitored)
          summary.push(summaryRow(m.name, batch, 'in the worker (`instrument()`)', r.bare, r.monitored, r.control));
      }
      if (ROUND_TRIP) {
        console.log('\n## Round trip from the page: `monitor.predict` versus a worker that only runs the model (same transfers)\n');
        console.log(HEADER);
        for (const batch of BATCHES) {
          const r = await page.evaluate(
            async ({ model, shape, batch, calls, warmup }) =>
              (window as unknown as BenchWindow).edge.predictOverhead(
                Uint8Array.from(atob(model), (c) => c.charCodeAt(0)),
                shape,
                batch,
                calls,
                warmup,
              ),
            { model: m.model, shape: m.shape, batch, calls: m.calls(batch), warmup: m.warmup(batch) },
          );
          console.log(row(batch, 'bare worker: `session.run`', r.bare));
          console.log(row(batch, 'control: a second bare worker', r.control, r.bare));
          console.log(row(batch, '`monitor.predict`', r.monitored, r.bare, true));
          summary.push(summaryRow(m.name, batch, 'round trip (`monitor.predict`)', r.bare, r.monitored, r.control));
        }
      }
      console.log(`\nload average after: ${load()}\n`);
    }
    if (summary.length > 0) {
      console.log(
        `# Overhead against the model's own cost (same run; goal ≤ ${GOAL_OVERHEAD_BATCH1 * 100}% at batch 1: the paired median overhead over the bare median)\n`,
      );
      console.log(
        '| model | batch | where | bare (median) | overhead (paired median) | 95% interval | overhead % | control (noise floor) | batch-1 goal |',
      );
      console.log('|---|---|---|---|---|---|---|---|---|');
      for (const line of summary) console.log(line);
    }
    const m = await page.evaluate(({ calls }) => (window as unknown as BenchWindow).edge.mainThreadDuring(calls, 1), {
      calls: MAIN_THREAD_CALLS,
    });
    console.log(`\n# Main thread while ${MAIN_THREAD_CALLS} predictions run through createMonitor (batch 1)`);
    console.log(
      `longest gap between two turns of the page's event loop: ${m.longestGapMs.toFixed(1)} ms; long tasks (> 50 ms): ${m.longTasks}; ` +
        `${MAIN_THREAD_CALLS} predictions took ${m.totalMs.toFixed(0)} ms (${us(m.totalMs / MAIN_THREAD_CALLS)} per round trip)\n`,
    );
  } finally {
    await browser?.close();
    await vite.close();
  }
}

// Run directly: node --import tsx bench/edge-overhead.ts
if (import.meta.url === `file://${process.argv[1]}`) await run();
