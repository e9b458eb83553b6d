// The `edgewatch` command: dispatches to one file per subcommand and turns user errors into one
// line on stderr and a non-zero exit status.
import { readFileSync } from 'node:fs';
import { describeError, UsageError } from './errors.ts';

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: `profile` should not pay for the collector's web server and database drivers.
const COMMANDS: Record<string, () => Promise<Command>> = {
  profile: async () => (await import('./profile-command.ts')).profileCommand,
  drift: async () => (await import('./drift-command.ts')).driftCommand,
  inspect: async () => (await import('./inspect-command.ts')).inspectCommand,
  serve: async () => (await import('./collector-commands.ts')).serveCommand,
  keys: async () => (await import('./collector-commands.ts')).keysCommand,
  baseline: async () => (await import('./baseline-command.ts')).baselineCommand,
  incidents: async () => (await import('./incidents-command.ts')).incidentsCommand,
  report: async () => (await import('./report-command.ts')).reportCommand,
};

export const MAIN_HELP = `Usage: edgewatch <command> [options]    (edgewatch <command> --help for each)

Commands:
  profile <file> --out <profile>    stream a CSV/TSV/JSONL/JSON table into a profile
  drift <baseline> <current>        drift statistics and a verdict per column (--json)
  inspect <profile>                 what a profile holds: columns, summaries, quantiles, size
  serve                             run the collector
  keys create|list|revoke           manage the collector's API keys
  baseline set|grid                 set a model version's baseline on a collector, read its grid
  incidents list|show|ack|silence|snooze|decide|postmortem
                                    the on-call workflow against a running collector
  report --model <id> --version <v> an HTML drift report from a running collector, for a ticket

Options: --help, --version`;

/** Runs one command line; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  // `edgewatch drift a b --json | head` closes our stdout early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      const topic = command === 'help' ? rest[0] : undefined;
      if (topic && COMMANDS[topic]) return await (await COMMANDS[topic]())(['--help']);
      console.log(MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      console.log(version());
      return 0;
    }
    const load = COMMANDS[command];
    if (!load) throw new UsageError(`unknown command "${command}"`);
    return await (await load())(rest);
  } catch (err) {
    const { line, user } = describeError(err);
    const hint = err instanceof UsageError ? ` (see edgewatch ${COMMANDS[command] ? `${command} ` : ''}--help)` : '';
    process.stderr.write(`edgewatch: ${line}${hint}\n`);
    if (!user && process.env.EDGEWATCH_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
