// `edgewatch profile <file> --out <profile>`: streams a table into a profile. Without --schema
// the file is read twice: once to infer each column's kind, once to record.
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { loadCore, SchemaInference, type Profile, type Schema } from 'edgewatch';
import { numberFlag, parseFlags, expectPositionals } from './args.ts';
import { UsageError, UserError } from './errors.ts';
import { Progress } from './progress.ts';
import { formatOf, readRows, type Format, type Row } from './rows.ts';

export const PROFILE_HELP = `Usage: edgewatch profile <file.csv|file.tsv|file.jsonl|file.json> --out <profile> [options]

Streams a table into a profile (the binary sketch file that drift, inspect and the collector read).
A column is numeric when every non-empty value is a number, else categorical; empty cells are
missing. Without --schema the file is read twice (infer, then record); memory stays constant.

Options:
  --out <path>          where to write the profile (required)
  --schema <file.json>  use this schema ({"columns": [{"name", "kind", ...}]}) instead of inferring;
                        one pass; columns the schema does not name are ignored
  --format <f>          csv | tsv | jsonl | json (a top-level array); default: from the extension
  --scale <n>           exponential-histogram scale of inferred numeric columns (default 5)
  --meta <key=value>    metadata stored in the profile (repeatable); "source" defaults to the file name
  --batch <n>           rows per recording call (default 8192)
  --progress            always show progress on stderr (default: for files of 8 MiB or more)
  --quiet               never show progress or the final summary line`;

/** Rows handed to the core per call: big enough to amortise the call, small enough to stay flat. */
const DEFAULT_BATCH = 8192;
/** Files at least this big show progress by default. */
const PROGRESS_FROM_BYTES = 8 * 1024 * 1024;

export async function profileCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('profile', argv, {
    out: { type: 'string' },
    schema: { type: 'string' },
    format: { type: 'string' },
    scale: { type: 'string' },
    meta: { type: 'string', multiple: true },
    batch: { type: 'string' },
    progress: { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return help();
  const [input] = expectPositionals('profile', positionals, ['file']);
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('profile: --out <path> is required');
  if (resolve(out) === resolve(input)) throw new UsageError('profile: --out must not be the input file');
  const format = formatOf(input, values.format as string | undefined);
  const scale = numberFlag('profile', 'scale', values.scale);
  const batch = numberFlag('profile', 'batch', values.batch) ?? DEFAULT_BATCH;
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError('profile: --batch must be a positive integer');
  const meta = parseMeta(values.meta as string[] | undefined, input);

  const info = await stat(input);
  if (!info.isFile()) throw new UserError(`${input}: not a regular file`);
  const quiet = Boolean(values.quiet);
  const showProgress = !quiet && (Boolean(values.progress) || info.size >= PROGRESS_FROM_BYTES);
  const core = await loadCore();

  const schema = values.schema
    ? await readSchema(values.schema as string)
    : await inferFromFile(input, format, info.size, showProgress, scale);
  let profile: Profile;
  try {
    profile = core.profile(schema);
  } catch (err) {
    throw new UserError(`${values.schema ?? input}: ${(err as Error).message}`);
  }
  try {
    const rows = await record(profile, input, format, info.size, showProgress, batch, values.schema ? 'record' : 'pass 2/2 record');
    if (rows === 0) throw new UserError(`${input}: no rows`);
    profile.meta = meta;
    const bytes = profile.toBytes();
    await writeAtomically(out, bytes);
    if (!quiet) {
      process.stderr.write(
        `${input}: ${rows.toLocaleString('en-US')} rows, ${profile.columns.length} columns -> ${out} (${bytes.byteLength} bytes)\n`,
      );
    }
  } finally {
    profile.dispose();
  }
  return 0;
}

function help(): number {
  console.log(PROFILE_HELP);
  return 0;
}

function parseMeta(pairs: string[] | undefined, input: string): Record<string, string> {
  const meta: Record<string, string> = { source: basename(input) };
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`profile: --meta expects key=value, got "${pair}"`);
    meta[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return meta;
}

async function readSchema(path: string): Promise<Schema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new UserError(`${path}: invalid JSON (${err.message})`);
    throw err;
  }
  const columns = (parsed as Schema | null)?.columns;
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new UserError(`${path}: a schema is {"columns": [{"name": ..., "kind": "numeric"|"categorical"|"grid"}, ...]}`);
  }
  return parsed as Schema;
}

async function inferFromFile(input: string, format: Format, size: number, showProgress: boolean, scale?: number): Promise<Schema> {
  const inference = new SchemaInference();
  const progress = new Progress('pass 1/2 schema', input, size, showProgress);
  let rows = 0;
  for await (const row of readRows(input, format, (b) => progress.bytes(b))) {
    inference.see(row);
    if (++rows % DEFAULT_BATCH === 0) progress.rows(rows);
  }
  progress.done(rows);
  const schema = inference.schema();
  if (rows === 0) throw new UserError(`${input}: no rows`);
  if (schema.columns.length === 0) throw new UserError(`${input}: no columns`);
  for (const c of schema.columns) {
    if (c.kind !== 'numeric') continue;
    // Years, kelvin, timestamps: buckets around the data's own location keep their resolution.
    c.center = 'auto';
    if (scale !== undefined) c.scale = scale;
  }
  return schema;
}

async function record(
  profile: Profile,
  input: string,
  format: Format,
  size: number,
  showProgress: boolean,
  batchSize: number,
  label: string,
): Promise<number> {
  const progress = new Progress(label, input, size, showProgress);
  let batch: Row[] = [];
  let rows = 0;
  const flush = () => {
    profile.recordRows(batch);
    rows += batch.length;
    batch = [];
    progress.rows(rows);
  };
  for await (const row of readRows(input, format, (b) => progress.bytes(b))) {
    batch.push(row);
    if (batch.length >= batchSize) flush();
  }
  if (batch.length > 0) flush();
  progress.done(rows);
  return rows;
}

/** Writes next to the target and renames, so a failed run never leaves half a profile behind. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'its directory does not exist'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : undefined;
    if (why) throw new UserError(`cannot write ${path}: ${why}`);
    throw err;
  }
}
