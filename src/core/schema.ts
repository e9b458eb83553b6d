// Schema inference: a column is numeric when every non-empty value is a number (or parses as one),
// categorical otherwise; null, undefined and '' are missing and decide nothing.
import type { CellValue, ColumnSpec, Schema } from './types.ts';

export function isMissing(v: CellValue): boolean {
  return v === null || v === undefined || v === '';
}

const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

/** The number a cell stands for: numbers as they are, numeric text parsed, anything else NaN. */
export function parseNumber(v: CellValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'string' || v.trim() === '') return NaN;
  const t = v.trim();
  const special = SPECIAL.exec(t);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return Number(t);
}

export function looksNumeric(v: CellValue): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  if (typeof v !== 'string') return false;
  const t = v.trim();
  return t !== '' && (!Number.isNaN(Number(t)) || SPECIAL.test(t));
}

/** Tracks, per column, whether every value seen so far was numeric. Rows can be streamed in. */
export class SchemaInference {
  readonly numeric = new Map<string, boolean>();

  see(row: Record<string, CellValue>): void {
    for (const [k, v] of Object.entries(row)) {
      const prev = this.numeric.get(k);
      if (isMissing(v)) {
        if (prev === undefined) this.numeric.set(k, true);
        continue;
      }
      this.numeric.set(k, (prev ?? true) && looksNumeric(v));
    }
  }

  schema(): Schema {
    const columns: ColumnSpec[] = [];
    for (const [name, numeric] of this.numeric) {
      columns.push(numeric ? { name, kind: 'numeric' } : { name, kind: 'categorical' });
    }
    return { columns };
  }
}

export function inferSchema(rows: Iterable<Record<string, CellValue>>): Schema {
  const inf = new SchemaInference();
  for (const r of rows) inf.see(r);
  return inf.schema();
}
