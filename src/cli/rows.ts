// Streams the rows of a CSV, TSV, JSON Lines or JSON-array file as objects keyed by column name,
// one at a time (constant memory whatever the file size).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import type { CellValue } from 'edgewatch';
import { UsageError, UserError } from './errors.ts';
import { JsonArrayElements } from './json-array.ts';
import { readText } from './text-source.ts';

export type Row = Record<string, CellValue>;
export const FORMATS = ['csv', 'tsv', 'jsonl', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** A single row (a JSONL line, a JSON element) above this size is refused rather than buffered. */
const MAX_ROW_CHARS = 16 * 1024 * 1024;

const EXTENSIONS: Record<string, Format> = { csv: 'csv', tsv: 'tsv', jsonl: 'jsonl', ndjson: 'jsonl', json: 'json' };

/** The format named by --format, else the one the file's extension says. */
export function formatOf(path: string, flag?: string): Format {
  if (flag !== undefined) {
    if (!(FORMATS as readonly string[]).includes(flag))
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${flag}"`);
    return flag as Format;
  }
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  const format = ext ? EXTENSIONS[ext] : undefined;
  if (!format) throw new UsageError(`${path}: cannot tell the format from the name; use --format ${FORMATS.join('|')}`);
  return format;
}

export function readRows(path: string, format: Format, onBytes?: (bytesRead: number) => void): AsyncGenerator<Row> {
  const text = readText(path, onBytes);
  if (format === 'csv' || format === 'tsv') return delimitedRows(path, text, format === 'tsv' ? '\t' : ',');
  if (format === 'jsonl') return jsonLinesRows(path, text);
  return jsonArrayRows(path, text);
}

async function* delimitedRows(path: string, text: AsyncGenerator<string>, delimiter: string): AsyncGenerator<Row> {
  const parser = parse({
    delimiter,
    bom: true,
    skip_empty_lines: true,
    columns: (header: string[]) => checkHeader(path, header),
  });
  // The file flows into the parser with back-pressure; a read error (binary data, say) destroys
  // the parser with that error, which then surfaces in the loop below.
  const piping = pipeline(Readable.from(text), parser).catch(() => {});
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) yield record;
  } catch (err) {
    if (err instanceof CsvError) throw new UserError(`${path}: ${err.message.split('\n')[0]}`);
    throw err;
  } finally {
    parser.destroy();
    await piping;
  }
}

function checkHeader(path: string, header: string[]): string[] {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name.trim() === '') throw new UserError(`${path}: column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new UserError(`${path}: the header names column "${name}" twice`);
    seen.add(name);
  });
  return header;
}

async function* jsonLinesRows(path: string, text: AsyncGenerator<string>): AsyncGenerator<Row> {
  let pending = '';
  let line = 0;
  for await (const chunk of text) {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop()!;
    if (pending.length > MAX_ROW_CHARS)
      throw new UserError(`${path}: line ${line + parts.length + 1} is longer than ${MAX_ROW_CHARS} characters`);
    for (const part of parts) {
      line++;
      if (part.trim() !== '') yield toRow(parseJson(part, `${path}: line ${line}`), `${path}: line ${line}`);
    }
  }
  line++;
  if (pending.trim() !== '') yield toRow(parseJson(pending, `${path}: line ${line}`), `${path}: line ${line}`);
}

async function* jsonArrayRows(path: string, text: AsyncGenerator<string>): AsyncGenerator<Row> {
  const elements = new JsonArrayElements(path, MAX_ROW_CHARS);
  let n = 0;
  for await (const chunk of text) {
    for (const element of elements.feed(chunk)) {
      n++;
      yield toRow(parseJson(element, `${path}: element ${n}`), `${path}: element ${n}`);
    }
  }
  elements.end();
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: invalid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** A JSON object becomes a row; nested objects and arrays are kept as their JSON text. */
function toRow(value: unknown, where: string): Row {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(
      `${where}: expected a JSON object per row, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)?.slice(0, 40)}`,
    );
  }
  const row: Row = {};
  for (const [k, v] of Object.entries(value)) {
    row[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : (v as CellValue);
  }
  return row;
}
