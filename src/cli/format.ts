// How numbers from the core are shown in tables: short, aligned, NaN as "-".

/** Significant digits for statistics in tables; --json prints full precision. */
const DIGITS = 4;

export function num(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return x.toExponential(DIGITS - 1).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(DIGITS)));
}

export function count(x: number): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US') : num(x);
}

/** JSON where NaN (and ±Infinity) become null, as JSON has no such numbers. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
