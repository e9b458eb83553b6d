// The `edgewatch` command: dispatches to one file per subcommand and turns user errors into one
// line on stderr and a non-zero exit status.
import { readFileSync } from 'node:fs';
import { baselineCommand } from './baseline-command.ts';
import { keysCommand, serveCommand } from './collector-commands.ts';
import { driftCommand } from './drift-command.ts';
import { describeError, UsageError } from './errors.ts';
import { inspectCommand } from './inspect-command.ts';
import { profileCommand } from './profile-command.ts';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  profile: profileCommand,
  drift: driftCommand,
  inspect: inspectCommand,
  serve: serveCommand,
  keys: keysCommand,
  baseline: baselineCommand,
};

export const MAIN_HELP = `Usage: edgewatch <command> [options]    (edgewatch <command> --help for each)

Commands:
  profile <file> --out <profile>    stream a CSV/TSV/JSONL/JSON table into a profile
  drift <baseline> <current>        drift statistics and a verdict per column (--json)
  inspect <profile>                 what a profile holds: columns, summaries, quantiles, size
  serve                             run the collector
  keys create|list|revoke           manage the collector's API keys
  baseline set|grid                 set a model version's baseline on a collector, read its grid

Options: --help, --version`;

/** Runs one command line; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      const topic = command === 'help' ? rest[0] : undefined;
      if (topic && COMMANDS[topic]) return await COMMANDS[topic](['--help']);
      console.log(MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      console.log(version());
      return 0;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(rest);
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

