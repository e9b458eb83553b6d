// Flag parsing for every command (node:util parseArgs), with errors turned into usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv strictly: unknown flags and missing values are usage errors naming the command. */
export function parseFlags(command: string, argv: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`${command}: ${message}`);
  }
}

/** A flag that must be a finite number (e.g. --scale 6); undefined when absent. */
export function numberFlag(command: string, name: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`${command}: --${name} expects a number, got "${String(raw)}"`);
  }
  return n;
}

export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length !== names.length) {
    const want = names.map((n) => `<${n}>`).join(' ');
    const got = positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(' ');
    throw new UsageError(`${command}: expected ${want}, got ${got}`);
  }
  return positionals;
}
