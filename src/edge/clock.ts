// Tumbling windows aligned to the wall clock: [k·size, (k+1)·size).
export function windowAt(now: number, size: number): { start: number; end: number } {
  const start = Math.floor(now / size) * size;
  return { start, end: start + size };
}

/** Today's UTC day as 'YYYY-MM-DD' (the privacy budget's period). */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** This UTC month as 'YYYY-MM' (the device id's lifetime). */
export function utcMonth(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}
