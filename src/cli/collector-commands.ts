// `edgewatch serve` and `edgewatch keys`: thin doors into the collector (src/collector), which
// owns their flags, help and behaviour.
import { keysCommand as collectorKeys, resolveOptions, serve, serveHelp } from '../collector/index.ts';
import { UsageError } from './errors.ts';

export async function serveCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(serveHelp());
    return 0;
  }
  let options: ReturnType<typeof resolveOptions>;
  try {
    options = resolveOptions(argv);
  } catch (err) {
    throw new UsageError(`serve: ${(err as Error).message}`);
  }
  // The process lives on while the collector listens; it stops on SIGINT/SIGTERM.
  await serve(options);
  return 0;
}

export async function keysCommand(argv: string[]): Promise<number> {
  try {
    return await collectorKeys(argv);
  } catch (err) {
    const message = (err as Error).message;
    // Flag mistakes come back as "<what is wrong>\n<usage>": a usage error, not a fault.
    if (message.includes('\nUsage:') || /^(unknown option|unknown keys command|.* needs )/.test(message)) {
      throw new UsageError(`keys: ${message.split('\n')[0]}`);
    }
    throw err;
  }
}
