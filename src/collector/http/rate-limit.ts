// Fixed one-minute windows of request counts per key string, in this process. With N collector
// processes behind a balancer a client may get up to N times the limit; that bound is enough to
// keep one page or device from flooding the ingest path. The ingest route spends an ingest key's
// budget only on accepted uploads, and refused ones from the client's address, so junk sent with
// a key cannot use up what the key's valid devices need (docs/collector.md, "Rate limits").
export class MinuteLimiter {
  private counts = new Map<string, number>();
  private windowStart = 0;

  constructor(private perMinute: number) {}

  /** Seconds until the caller may retry, or 0 when the request is admitted (and counted). */
  take(key: string, now = Date.now()): number {
    const wait = this.peek(key, now);
    if (this.perMinute > 0) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return wait;
  }

  /** Like take(), without counting the request. */
  peek(key: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now - (now % 60_000);
      this.counts.clear();
    }
    return (this.counts.get(key) ?? 0) >= this.perMinute ? Math.ceil((this.windowStart + 60_000 - now) / 1000) : 0;
  }
}

/**
 * Device ids first seen from a client address, per minute: made-up device ids (each would get
 * its own per-device budget) run out at the address, while a device already seen is never
 * counted again. The ids seen are remembered up to `remember`, oldest forgotten first.
 */
export class NewDeviceLimiter {
  private seen = new Map<string, true>();
  private perAddress: MinuteLimiter;

  constructor(
    perMinute: number,
    private remember = 200_000,
  ) {
    this.perAddress = new MinuteLimiter(perMinute);
  }

  /** Seconds until `address` may introduce `deviceId`, or 0 when admitted. */
  take(address: string, deviceId: string, now = Date.now()): number {
    if (this.seen.has(deviceId)) return 0;
    const wait = this.perAddress.take(address, now);
    if (wait > 0) return wait;
    this.seen.set(deviceId, true);
    if (this.seen.size > this.remember) this.seen.delete(this.seen.keys().next().value!);
    return 0;
  }
}
