// Runs a collector process: `node --import tsx src/collector/main.ts [serve flags]`. The CLI's
// `edgewatch serve` does the same through serve(); this entry serves tests and benchmarks that
// need a real separate process.
import { helpText, resolveOptions } from './config.ts';
import { serve } from './server.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(helpText());
} else {
  serve(resolveOptions(argv)).catch((err) => {
    console.error(`edgewatch collector: ${(err as Error).message}`);
    process.exit(1);
  });
}
