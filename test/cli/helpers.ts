// Runs the real `edgewatch` command in a child process, and computes exact references on raw
// tables for the tests to compare against.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/edgewatch.js');
export const DATA = join(ROOT, 'node_modules/vega-datasets/data');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function edgewatch(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...env, EDGEWATCH_DEBUG: '' }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Runs and insists on success, so a failure shows the command's own message. */
export async function ok(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const r = await edgewatch(args, env);
  if (r.code !== 0) throw new Error(`edgewatch ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'edgewatch-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type RawRow = Record<string, unknown>;

export function readCsv(path: string): RawRow[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, bom: true, skip_empty_lines: true }) as RawRow[];
}

export function toCsv(header: string[], rows: RawRow[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.join(','), ...rows.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
}

const missing = (v: unknown) => v === null || v === undefined || v === '';
const numeric = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v.trim())));

/** The reference for one column, computed straight from the raw values. */
export interface Truth {
  kind: 'numeric' | 'categorical';
  count: number;
  missing: number;
  /** numeric: finite values, in file order */
  values: number[];
  sum: number;
  mean: number;
  /** categorical: exact counts */
  counts: Map<string, number>;
}

export function truthOf(rows: RawRow[], column: string): Truth {
  const cells = rows.map((r) => r[column]);
  const present = cells.filter((v) => !missing(v));
  const kind = present.every(numeric) ? 'numeric' : 'categorical';
  const values = kind === 'numeric' ? present.map((v) => Number(typeof v === 'string' ? v.trim() : v)) : [];
  let sum = 0;
  for (const v of values) sum += v;
  const counts = new Map<string, number>();
  if (kind === 'categorical') for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return { kind, count: rows.length, missing: cells.length - present.length, values, sum, mean: sum / values.length, counts };
}

/** Quantile at rank q·(n−1), lower: the definition the core documents. */
export function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

/** Two-sample Kolmogorov–Smirnov statistic, exact, on raw values. */
export function exactKs(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** A seeded shuffle (mulberry32), so a test's split is the same on every run. */
export function shuffled<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(rand() * (i + 1));
    [out[i], out[k]] = [out[k], out[i]];
  }
  return out;
}
