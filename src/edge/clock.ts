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

/** The call clock reads the wall clock again after this many readings… */
export const RESYNC_READINGS = 32;
/** …or after this much time on the monotonic clock, whichever comes first. */
export const RESYNC_MS = 250;

/**
 * The wall clock for the per-inference path. Right after a model's run, Date.now() measured about
 * 2 µs (its code path is out of the caches by then; as much as the rest of recording a call),
 * performance.now() a small fraction of that. So the wall clock is read every RESYNC_READINGS
 * readings or RESYNC_MS of monotonic time, and carried forward with the monotonic clock between.
 * The monotonic clock may stand still while the device sleeps: after a wake-up, at most
 * RESYNC_READINGS - 1 readings within RESYNC_MS are placed at the time the device went to sleep
 * (their window's close timer, which reads the wall clock, usually fires first).
 */
export function callClock(wall: () => number = Date.now, monotonic: () => number = () => performance.now()): () => number {
  let wallAt = 0;
  let monoAt = -Infinity;
  let left = 0;
  return () => {
    const mono = monotonic();
    if (left-- > 0 && mono - monoAt < RESYNC_MS) return wallAt + (mono - monoAt);
    wallAt = wall();
    monoAt = mono;
    left = RESYNC_READINGS - 1;
    return wallAt;
  };
}
