// Fixed one-minute windows of request counts per key string, in this process. With N collector
// processes behind a balancer a client may get up to N times the limit; that bound is enough to
// keep one page or device from flooding the ingest path.
export class MinuteLimiter {
  private counts = new Map<string, number>();
  private windowStart = 0;

  constructor(private perMinute: number) {}

  /** Seconds until the caller may retry, or 0 when the request is admitted. */
  take(key: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now - (now % 60_000);
      this.counts.clear();
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n > this.perMinute ? Math.ceil((this.windowStart + 60_000 - now) / 1000) : 0;
  }
}
