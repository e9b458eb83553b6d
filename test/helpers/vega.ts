// Real data from the vega-datasets package.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

// The package's exports map hides its data folder from require.resolve; the files are plain files.
export function vegaPath(file: string): string {
  return fileURLToPath(new URL(`../../node_modules/vega-datasets/data/${file}`, import.meta.url));
}

export function vegaCsv(file: string): Record<string, string>[] {
  return parse(readFileSync(vegaPath(file)), { columns: true, skip_empty_lines: true });
}

export function vegaJson<T = Record<string, unknown>>(file: string): T[] {
  return JSON.parse(readFileSync(vegaPath(file), 'utf8'));
}

/** Finite numbers of a column (empty cells dropped). */
export function numbers(rows: Record<string, unknown>[], key: string): Float64Array {
  const out: number[] = [];
  for (const r of rows) {
    const v = r[key];
    if (v === '' || v === null || v === undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n)) out.push(n);
  }
  return Float64Array.from(out);
}
