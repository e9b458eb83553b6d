// Sends closed windows to the collector. A window leaves the outbox only after a 2xx; a failed
// attempt backs off exponentially with jitter (or as long as Retry-After says); nothing is sent
// while offline. The upload id inside the payload makes a repeated POST harmless at the collector.
// One tab at a time works on the outbox (a Web Lock), so tabs never upload the same window twice.
// Every response's Date tells the collector's clock: when this device's clock is off by more
// than CLOCK_TOLERANCE_MS, windows are sent as the collector's clock places them (restamp), and
// a window refused for the clock is kept and sent again at once, corrected. Whether a refusal
// is final comes from the collector's answer (`permanent`), else from its status. A secure-mode
// window is sealed into its report (seal) and stored so before its first attempt, and goes to
// the leader's report route; a `replay` answer means an earlier attempt arrived: it is done.
import { withLockIfFree } from './locks.ts';
import type { OutboxEntry, Store } from './store.ts';

export interface UploaderOptions {
  store: Store;
  collector: string;
  apiKey?: string;
  /** Lock shared by every tab of this model. */
  lockName: string;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Runs first under the lock on every pass (outbox compaction). */
  beforeUpload?: () => Promise<void>;
  /** Runs after every pass (the page mirrors the outbox for pagehide). */
  afterPass?: () => void;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  /** Moves a payload's window times by the given ms (see restamp.ts); without it, no correction. */
  restamp?: (bytes: Uint8Array, shiftMs: number) => Uint8Array;
  /** Turns a secure-mode window into its report (see seal.ts). */
  seal?: (e: OutboxEntry) => Promise<OutboxEntry>;
}

/** Clock differences up to this are left alone: the collector tolerates minutes. */
export const CLOCK_TOLERANCE_MS = 10_000;

/** Bodies a keepalive request may carry in total (the browser's limit is 64 KiB in flight). */
const KEEPALIVE_BUDGET = 60_000;
/** Rejections that no retry can fix: the window is dropped (and counted) instead. */
const PERMANENT = new Set([400, 413, 415, 422]);

export interface UploadReport {
  sent: number;
  failed: number;
  rejected: number;
}

export function ingestUrl(collector: string, e?: Pick<OutboxEntry, 'sealed'>): string {
  return `${collector.replace(/\/+$/, '')}${e?.sealed ? '/v1/secure/reports' : '/v1/ingest'}`;
}

/** Delay before retry number `attempt` (1-based): base·2^(attempt−1), capped, with "equal jitter". */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const d = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return d / 2 + (random() * d) / 2;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function ingestRequest(e: Pick<OutboxEntry, 'bytes' | 'sealed'>, apiKey: string | undefined, keepalive: boolean): RequestInit {
  const headers: Record<string, string> = { 'content-type': e.sealed ? 'application/json' : 'application/octet-stream' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return { method: 'POST', headers, body: e.bytes as BodyInit, keepalive, credentials: 'omit', mode: 'cors' };
}

/**
 * For `pagehide`: starts keepalive POSTs of the waiting windows, synchronously (the page may be
 * gone before any promise settles), within the browser's keepalive budget. The worker removes an
 * entry only on an acknowledgement it sees; a window sent both ways is one upload id, counted
 * once by the collector.
 */
export function sendKeepalive(
  entries: readonly Pick<OutboxEntry, 'bytes' | 'secure' | 'sealed'>[],
  collector: string,
  apiKey?: string,
): number {
  let budget = KEEPALIVE_BUDGET;
  let started = 0;
  for (const e of entries) {
    // A secure window not yet sealed cannot be sealed here (it takes promises): it waits.
    if (e.bytes.byteLength > budget || (e.secure && !e.sealed)) continue;
    budget -= e.bytes.byteLength;
    started++;
    fetch(ingestUrl(collector, e), ingestRequest(e, apiKey, true)).catch(() => {});
  }
  return started;
}

export class Uploader {
  #o: Required<Omit<UploaderOptions, 'apiKey' | 'beforeUpload' | 'afterPass' | 'restamp' | 'seal'>> &
    Pick<UploaderOptions, 'apiKey' | 'beforeUpload' | 'afterPass' | 'restamp' | 'seal'>;
  /** The collector's clock minus this device's, ms, from the last response's Date. */
  #clockOffset = 0;
  #online = true;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<UploadReport> | undefined;
  #closed = false;

  constructor(o: UploaderOptions) {
    this.#o = {
      baseDelayMs: 1000,
      maxDelayMs: 5 * 60_000,
      fetch: (...a) => fetch(...a),
      now: () => Date.now(),
      random: Math.random,
      ...(Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as UploaderOptions),
    };
    this.#online = typeof navigator === 'undefined' || navigator.onLine !== false;
  }

  get online(): boolean {
    return this.#online;
  }

  /** Offline pauses uploads; coming back online uploads at once. */
  setOnline(online: boolean): void {
    this.#online = online;
    if (online) this.kick();
    else this.#clearTimer();
  }

  /** Uploads soon (next task). */
  kick(delay = 0): void {
    if (this.#closed || !this.#online) return;
    this.#clearTimer();
    this.#timer = setTimeout(() => void this.run(), delay);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One pass over the outbox, oldest first. Concurrent calls share the pass in progress. */
  run(): Promise<UploadReport> {
    this.#running ??= this.#pass().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #pass(): Promise<UploadReport> {
    const report: UploadReport = { sent: 0, failed: 0, rejected: 0 };
    if (!this.#online || this.#closed) return report;
    const { ran } = await withLockIfFree(this.#o.lockName, async () => {
      await this.#o.beforeUpload?.();
      for (const e of await this.#o.store.outbox()) {
        if (!this.#online || this.#closed) break;
        if (e.held || e.notBefore > this.#o.now()) continue;
        const outcome = await this.#send(e);
        report[outcome]++;
        if (outcome === 'failed') break; // the collector is in trouble: wait for the backoff
      }
    });
    // Another tab is uploading: look again later, our windows wait in the shared outbox.
    this.#scheduleNext(ran ? undefined : this.#o.baseDelayMs);
    this.#o.afterPass?.();
    return report;
  }

  async #send(entry: OutboxEntry): Promise<'sent' | 'failed' | 'rejected'> {
    const { store } = this.#o;
    let e = entry;
    if (e.secure && !e.sealed) {
      if (!this.#o.seal) throw new Error('edgewatch: a secure window and no way to seal it');
      e = await this.#o.seal(this.#corrected(e));
      await store.putOutbox(e);
    }
    let status = 0;
    let retryAfter: string | null = null;
    let refusal: { reason?: unknown; permanent?: unknown } | null = null;
    try {
      const res = await this.#o.fetch(ingestUrl(this.#o.collector, e), this.#request(e.sealed ? e : this.#corrected(e), false));
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      this.#readClock(res.headers.get('date'));
      if (status >= 200 && status < 300) await res.body?.cancel().catch(() => {});
      else refusal = await res.json().catch(() => null);
    } catch {
      status = 0; // network error, CORS, offline
    }
    if ((status >= 200 && status < 300) || (e.sealed && refusal?.reason === 'replay')) {
      await store.deleteOutbox(e.uploadId);
      return 'sent';
    }
    if (refusal?.reason === 'clock' && Math.abs(this.#clockOffset) > CLOCK_TOLERANCE_MS && this.#o.restamp) {
      // The clock is now known: send it again at once, corrected.
      await store.putOutbox({ ...e, attempts: e.attempts + 1, notBefore: 0 });
      return 'failed';
    }
    if (typeof refusal?.permanent === 'boolean' ? refusal.permanent : PERMANENT.has(status)) {
      console.warn(`edgewatch: the collector rejected window ${e.uploadId} (HTTP ${status}); it is dropped`);
      await store.deleteOutbox(e.uploadId);
      await store.update<number>('rejected-windows', (n) => (n ?? 0) + 1);
      return 'rejected';
    }
    const attempts = e.attempts + 1;
    const now = this.#o.now();
    const wait = retryAfterMs(retryAfter, now) ?? backoffDelay(attempts, this.#o.baseDelayMs, this.#o.maxDelayMs, this.#o.random);
    await store.putOutbox({ ...e, attempts, notBefore: now + wait });
    return 'failed';
  }

  #readClock(date: string | null): void {
    const t = date ? Date.parse(date) : NaN;
    // Date has whole seconds: its middle is the best guess.
    if (!Number.isNaN(t)) this.#clockOffset = t + 500 - this.#o.now();
  }

  /** The entry as the collector's clock places it, when this device's clock is off. */
  #corrected(e: OutboxEntry): OutboxEntry {
    const shift = this.#clockOffset;
    if (!this.#o.restamp || Math.abs(shift) <= CLOCK_TOLERANCE_MS) return e;
    return { ...e, bytes: this.#o.restamp(e.bytes, Math.round(shift)) };
  }

  #request(e: OutboxEntry, keepalive: boolean): RequestInit {
    return ingestRequest(e, this.#o.apiKey, keepalive);
  }

  async #scheduleNext(busyRetry?: number): Promise<void> {
    if (this.#closed || !this.#online) return;
    const entries = (await this.#o.store.outbox().catch(() => [] as OutboxEntry[])).filter((e) => !e.held);
    if (entries.length === 0) return;
    const now = this.#o.now();
    const next = Math.min(...entries.map((e) => e.notBefore));
    this.kick(Math.max(busyRetry ?? 0, next - now, 0));
  }

  close(): void {
    this.#closed = true;
    this.#clearTimer();
  }
}
