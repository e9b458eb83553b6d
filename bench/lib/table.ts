// Plain-text tables (they read the same in a terminal and pasted into Markdown as code).

export function table(headers: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function rate(valuesPerSecond: number): string {
  return `${(valuesPerSecond / 1e6).toFixed(1)} M/s`;
}

export function bytes(n: number): string {
  return n < 10_000 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

export function ratio(x: number): string {
  return x >= 10 ? `${x.toFixed(0)}×` : x >= 0.1 ? `${x.toFixed(2)}×` : `${x.toFixed(3)}×`;
}

export function pct(x: number): string {
  if (x === Infinity) return '∞';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return x >= 0.1 ? `${(x * 100).toFixed(1)}%` : x >= 0.0001 ? `${(x * 100).toFixed(3)}%` : `${(x * 100).toExponential(1)}%`;
}
