// `npm run bench` runs every benchmark below in turn; `npm run bench -- core` runs one by name.
// A benchmark is a module under bench/ exporting `run(): Promise<void>` that prints its own
// tables. To add one, add a line here.
import { cpus, loadavg } from 'node:os';

const BENCHMARKS: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  core: () => import('./core-sketches.ts'),
  edge: () => import('./edge-overhead.ts'),
  collector: () => import('./collector.ts'),
  bundle: () => import('./bundle-size.ts'),
  soak: () => import('./soak.ts'),
  rollup: () => import('./rollup-flood.ts'),
  privacy: () => import('./privacy.ts'),
  prio3: () => import('./prio3.ts'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${Object.keys(BENCHMARKS).join(', ')})`);
  process.exit(2);
}

// Timings depend on what else the machine is doing: say so next to them.
const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load ${load}, ${new Date().toISOString()}\n`,
);
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  const { run } = await BENCHMARKS[name]();
  await run();
}
