// The recording engine: what runs next to the model (in the monitor's worker, or in the app's own
// thread for instrument()). It owns the open window, checkpoints it, closes it into the outbox
// (with noise and budget in the private mode), and drives the uploader.
import type { Core, Profile } from '../core/index.ts';
import { callClock, windowAt } from './clock.ts';
import { compactOutbox, DROPPED_KEY, mergeEntries } from './compaction.ts';
import { deviceId } from './device.ts';
import { labelsFor, PendingPredictions, recordFeedback } from './feedback.ts';
import { loadGrid } from './grid.ts';
import { holdLock, isFree, withLockIfFree } from './locks.ts';
import { DEFAULT_MIN_ROWS, type Grid, isPrivate, type PrivacyOptions, type ResolvedOptions, type Tensors } from './options.ts';
import { budgetLeft, cellsPerEvent, noiseScale, privacyHeader, type Refusal, spendBudget } from './privacy.ts';
import { BATCH_ROWS, PendingBatch } from './batcher.ts';
import { WindowSample } from './window-sample.ts';
import { batchRows, recordInputs, recordOutputs, RecordingError, rowsOf } from './recorder.ts';
import { HEALTH } from '../core/columns.ts';
import { writeUploadHeader } from '../core/upload-header.ts';
import { buildPlan, describeTensors, PROVIDERS, type FailureKind, type Plan, type ValueInfo } from './schema.ts';
import { openStore, type Checkpoint, type Fold, type OutboxEntry, type Store } from './store.ts';
import { Uploader } from './uploader.ts';
import { restamp } from './restamp.ts';

const REFUSALS: Record<Exclude<Refusal, 'not-sampled'>, string> = {
  'budget-spent': 'the daily privacy budget is spent; windows are not uploaded until tomorrow (UTC)',
  'no-persistent-budget': 'the privacy budget cannot be kept (storage is in memory); private windows are not uploaded',
};

export interface EngineStatus {
  storage: 'indexeddb' | 'memory';
  privacy: PrivacyOptions['mode'];
  /** Private mode: ε left today; 0 means windows are not uploaded until the next UTC day. */
  budgetLeft?: number;
  budgetExhausted: boolean;
  /**
   * Private mode: 'on', or 'no-persistent-budget' when the store is in memory (IndexedDB failed):
   * a budget that a page load would restart cannot bound a day, so no window is uploaded.
   */
  privateUploads?: 'on' | 'no-persistent-budget';
  /** Private mode: events of the open window left out of its bounded sample. */
  clippedThisWindow: number;
  outbox: number;
  online: boolean;
}

interface OpenWindow {
  start: number;
  end: number;
  profile: Profile;
  /** Calls not yet handed to the core (drained before checkpoints and closing). */
  batch: PendingBatch;
  /** Private mode: the window's bounded uniform sample of events, recorded when it closes. */
  sample: WindowSample | null;
  events: number;
  clipped: number;
}

export interface RecordExtras {
  latencyMs?: number;
  provider?: string;
}

export interface EngineDeps {
  core: Core;
  store?: Store;
  now?: () => number;
  fetch?: typeof fetch;
  /** Told the outbox after every change the engine makes (a window closed, an upload pass). */
  onOutbox?: (entries: OutboxEntry[]) => void;
  /** Seals secure-mode windows (seal.ts' sealWindow); only the secure mode needs it. */
  seal?: Sealer;
}

export type Sealer = (core: Core, o: ResolvedOptions, e: OutboxEntry) => Promise<OutboxEntry>;

const lockPrefix = 'edgewatch';
/**
 * A full batch (BATCH_ROWS) is handed to the core once the thread is idle, so that the hand-over
 * (a fraction of a millisecond) does not land on the prediction that filled it; only calls that
 * come back to back without the thread ever idling make it wait this long, then one pays.
 */
const MAX_WAITING_ROWS = 4 * BATCH_ROWS;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class MonitorEngine {
  readonly instanceId = crypto.randomUUID();
  #o: ResolvedOptions;
  #core: Core;
  #store: Store;
  #now: () => number;
  /** The clock recordCall() reads: `now` when one is given, else callClock() (see clock.ts). */
  #callNow: () => number;
  #plan: Plan | null = null;
  /** Whether the plan records image tensors (known once the plan is). */
  #images: boolean | undefined;
  #grid: Grid | null = null;
  #deviceId = '';
  #window: OpenWindow | null = null;
  #pending = new PendingPredictions();
  #uploader: Uploader | null;
  #releaseInstance: () => void = () => {};
  #checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #lastCheckpoint = 0;
  #dirty = false;
  /** Window closes and checkpoints run one after the other. */
  #queue: Promise<unknown> = Promise.resolve();
  #warned = new Set<Refusal>();
  #closed = false;
  /** Reused for the one latency value of each call. */
  #one = new Float64Array(1);
  /** A full batch waits for this timer (see MAX_WAITING_ROWS). */
  #idleDrain: ReturnType<typeof setTimeout> | undefined;

  #onOutbox: EngineDeps['onOutbox'];

  private constructor(
    o: ResolvedOptions,
    deps: Required<Pick<EngineDeps, 'core' | 'now'>> & EngineDeps & { store: Store; callNow: () => number },
  ) {
    this.#o = o;
    this.#onOutbox = deps.onOutbox;
    this.#core = deps.core;
    this.#store = deps.store;
    this.#now = deps.now;
    this.#callNow = deps.callNow;
    this.#uploader = o.collector
      ? new Uploader({
          store: this.#store,
          collector: o.collector,
          apiKey: o.apiKey,
          lockName: `${lockPrefix}:outbox:${o.modelId}`,
          baseDelayMs: o.upload?.baseDelayMs,
          maxDelayMs: o.upload?.maxDelayMs,
          beforeUpload: () => this.#compact(),
          afterPass: () => this.#outboxChanged(),
          fetch: deps.fetch,
          now: deps.now,
          // A secure window moves by whole windows only: it must stay its batch's aligned window.
          restamp: (bytes, shiftMs) =>
            restamp(deps.core, bytes, o.privacy.mode === 'secure' ? Math.round(shiftMs / o.window) * o.window : shiftMs),
          seal: deps.seal && o.privacy.mode === 'secure' ? (e) => deps.seal!(deps.core, o, e) : undefined,
        })
      : null;
  }

  /**
   * Starts an engine: opens the store, takes the instance lock, recovers windows left by
   * instances that are gone (closed tab, crash), and uploads what waits.
   * `model` describes the inputs and outputs; without it the first observed tensors do.
   */
  static async start(o: ResolvedOptions, deps: EngineDeps, model?: { inputs: ValueInfo[]; outputs: ValueInfo[] }): Promise<MonitorEngine> {
    // The sealing is passed in (the bundled secure worker does) so that the HPKE library it
    // brings stays out of every other monitor's download.
    if (o.privacy.mode === 'secure' && !deps.seal) {
      throw new Error(
        "edgewatch: the secure mode needs a worker that seals windows: exposeMonitorWorker({ seal: sealWindow }) from 'edgewatch/worker'",
      );
    }
    const store = deps.store ?? (await openStore(o.modelId));
    const e = new MonitorEngine(o, { ...deps, now: deps.now ?? Date.now, callNow: deps.now ?? callClock(), store });
    e.#releaseInstance = await holdLock(e.#instanceLock(e.instanceId));
    e.#deviceId = await deviceId(store, e.#now());
    if (isPrivate(o.privacy)) e.#grid = await loadGrid(o, store, deps.fetch);
    if (model) e.#plan = buildPlan(model.inputs, model.outputs, o, e.#grid);
    await e.recover();
    e.#uploader?.kick();
    return e;
  }

  #instanceLock(id: string): string {
    return `${lockPrefix}:instance:${this.#o.modelId}:${id}`;
  }

  get plan(): Plan | null {
    return this.#plan;
  }

  /** Closes every checkpointed window whose instance is no longer running. */
  async recover(): Promise<number> {
    let n = 0;
    for (const c of await this.#store.checkpoints()) {
      if (c.instanceId === this.instanceId) continue;
      if (!(await isFree(this.#instanceLock(c.instanceId)))) continue;
      let profile: Profile;
      try {
        profile = this.#core.profileFromBytes(c.bytes);
      } catch (err) {
        console.warn(`edgewatch: an unreadable checkpoint was discarded (${(err as Error).message})`);
        await this.#store.deleteCheckpoint(c.key);
        continue;
      }
      await this.#closeWindow(
        { start: c.windowStart, end: c.windowEnd, profile, batch: new PendingBatch(), sample: null, events: c.events, clipped: 0 },
        c.key,
      );
      n++;
    }
    return n;
  }

  /**
   * Records one batch. Returns the prediction id feedback refers to. In the private mode the rows
   * join the window's bounded uniform sample instead.
   */
  record(inputs: Tensors, outputs: Tensors, extras: RecordExtras = {}): string {
    return this.#pending.idOf(this.recordCall(inputs, outputs, extras.latencyMs, extras.provider));
  }

  /** The id of the prediction recordCall() numbered `seq`. */
  predictionId(seq: number): string {
    return this.#pending.idOf(seq);
  }

  /**
   * record() for the per-inference path: returns the prediction's sequence number (its id is
   * made only when asked for). A call that stacks onto the open window's batch only copies its
   * values into reused buffers: no allocation, and as little touched as can be (see batcher.ts).
   */
  recordCall(inputs: Tensors, outputs: Tensors, latencyMs?: number, provider?: string): number {
    const seq = this.#pending.next();
    const w = this.#window;
    if (w !== null && this.#callNow() < w.end) {
      const rows = w.batch.tryAdd(inputs, outputs, seq, latencyMs, provider);
      if (rows > 0) {
        w.events += rows;
        if (w.batch.rows >= BATCH_ROWS) this.#drainSoon(w);
        this.#touched();
        return seq;
      }
    }
    this.#recordFirst(seq, inputs, outputs, latencyMs, provider);
    return seq;
  }

  /**
   * Every call that does not simply join the open batch: the first of a model (its plan), of a
   * window or of a batch, a change of shape, images, the private mode's sample, a bad call.
   */
  #recordFirst(seq: number, inputs: Tensors, outputs: Tensors, latencyMs: number | undefined, provider: string | undefined): void {
    this.#ensurePlan(inputs, outputs);
    const plan = this.#plan!;
    const w = this.#open();
    requirePlanned(plan, inputs, outputs);
    const total = plan.inputs.length ? rowsOf(inputs[plan.inputs[0].input]) : batchRows(inputs);
    // Scores kept for feedback now; a batched call's are kept when its batch drains.
    let keepNow = false;
    if (w.sample) {
      w.sample.offerRows(plan, inputs, outputs, total, latencyMs, provider);
      this.#sampled(w);
      keepNow = true;
    } else if (total > 0) {
      if ((this.#images ??= plan.inputs.some((ip) => ip.kind === 'channels'))) {
        // Images are big: recorded at once (per channel), never copied into a batch.
        this.#drain(w);
        recordInputs(w.profile, plan, inputs);
        recordOutputs(w.profile, plan, outputs);
        this.#recordHealth(w, { latencyMs, provider });
        keepNow = true;
      } else {
        this.#drain(w);
        w.batch.add(plan, inputs, outputs, seq, latencyMs, provider);
        if (w.batch.rows >= BATCH_ROWS) this.#drainSoon(w);
      }
      w.events += total;
    }
    if (keepNow && plan.feedback) {
      const t = outputs[plan.feedback.output];
      if (t.dims.length === 2) this.#pending.keep(seq, t.data as ArrayLike<number>, 0, t.dims[0], t.dims[1]);
    }
    this.#touched();
  }

  /** A full batch: handed over when the thread is next idle, or now if too many rows wait. */
  #drainSoon(w: OpenWindow): void {
    if (w.batch.rows >= MAX_WAITING_ROWS) {
      this.#drain(w);
      return;
    }
    this.#idleDrain ??= setTimeout(() => {
      this.#idleDrain = undefined;
      // Whatever waits in the window open now (closing `w` drained it; its successor may be full).
      const open = this.#window;
      if (!open) return;
      try {
        this.#drain(open);
      } catch (err) {
        console.warn(`edgewatch: could not record a batch (${(err as Error).message})`);
        this.recordFailure('recording');
      }
    }, 0);
  }

  /** Hands the window's gathered calls to the core (and their scores to the feedback ring). */
  #drain(w: OpenWindow): void {
    if (this.#plan) w.batch.drain(w.profile, this.#plan, this.#pending);
  }

  /** Closing: the core records what the window holds, the private mode's sample included. */
  #settle(w: OpenWindow): void {
    this.#drain(w);
    if (w.sample && this.#plan) w.sample.recordInto(w.profile, this.#plan);
  }

  /** The private mode's counters follow the sample: what it holds, and what it left out. */
  #sampled(w: OpenWindow): void {
    w.events = w.sample!.size;
    w.clipped = w.sample!.seen - w.sample!.size;
  }

  /** The open window's bytes as they stand: in the private mode, its sample so far recorded. */
  #windowBytes(w: OpenWindow): Uint8Array {
    if (!w.sample || !this.#plan) return w.profile.toBytes();
    const p = this.#core.profile({ columns: this.#plan.columns });
    try {
      w.sample.recordInto(p, this.#plan);
      return p.toBytes();
    } finally {
      p.dispose();
    }
  }

  /** Counts a failed inference (and its latency, when known). */
  recordFailure(kind: FailureKind, extras: RecordExtras = {}): void {
    if (!this.#plan) return; // nothing is known of the model yet: no window to count it in
    const w = this.#open();
    if (w.sample) {
      w.sample.offerFailure(kind, extras.latencyMs, extras.provider);
      this.#sampled(w);
    } else {
      w.events++;
      w.profile.recordLabels(HEALTH.failure, [kind]);
      this.#recordHealth(w, extras);
    }
    this.#touched();
  }

  /** Folds delayed labels of an earlier prediction into the current window. */
  feedback(predictionId: string, labels: string | number | readonly (string | number)[]): boolean {
    const fb = this.#plan?.feedback;
    if (!fb) throw new Error('edgewatch: feedback needs a model with class scores');
    let rows = this.#pending.get(predictionId);
    if (!rows && this.#window) {
      // The prediction may still wait in the open batch, its scores not yet kept.
      try {
        this.#drain(this.#window);
      } catch (err) {
        console.warn(`edgewatch: could not record a batch (${(err as Error).message})`);
      }
      rows = this.#pending.get(predictionId);
    }
    if (!rows) return false;
    const list = labelsFor(fb, rows, labels);
    this.#pending.forget(predictionId);
    const w = this.#open();
    if (w.sample) {
      w.sample.offerFeedback(rows, list);
      this.#sampled(w);
    } else {
      w.events += list.length;
      recordFeedback(w.profile, fb, rows, list);
    }
    this.#touched();
    return true;
  }

  #recordHealth(w: OpenWindow, extras: RecordExtras): void {
    if (extras.latencyMs !== undefined) {
      this.#one[0] = extras.latencyMs;
      w.profile.recordNumbers(HEALTH.latency, this.#one);
    }
    if (extras.provider) w.profile.recordLabels(HEALTH.provider, [PROVIDERS.includes(extras.provider) ? extras.provider : 'other']);
  }

  #ensurePlan(inputs: Tensors, outputs: Tensors): void {
    this.#plan ??= buildPlan(describeTensors(inputs), describeTensors(outputs), this.#o, this.#grid);
  }

  /** The window open now; closes the previous one if its time is over. */
  #open(): OpenWindow {
    if (this.#closed) throw new Error('edgewatch: the monitor is closed');
    const now = this.#now();
    if (this.#window && now >= this.#window.end) this.#closeCurrent();
    if (!this.#window) {
      const { start, end } = windowAt(now, this.#o.window);
      const p = this.#o.privacy;
      const sample = isPrivate(p) ? new WindowSample(p.maxRowsPerWindow) : null;
      this.#window = {
        start,
        end,
        profile: this.#core.profile({ columns: this.#plan!.columns }),
        batch: new PendingBatch(),
        sample,
        events: 0,
        clipped: 0,
      };
      this.#armCloseTimer();
    }
    return this.#window;
  }

  /** Closes the open window at its end. Timers cap at ~24.8 days, so long windows re-arm. */
  #armCloseTimer(): void {
    const w = this.#window;
    if (!w) return;
    const wait = w.end - this.#now();
    this.#closeTimer = setTimeout(
      () => {
        if (this.#window !== w) return;
        if (this.#now() >= w.end) void this.#closeCurrent();
        else this.#armCloseTimer();
      },
      Math.min(Math.max(0, wait), MAX_TIMER_MS),
    );
  }

  #touched(): void {
    this.#dirty = true;
    if (this.#checkpointTimer !== undefined) return;
    const wait = Math.max(0, this.#lastCheckpoint + this.#o.checkpointEvery - this.#now());
    this.#checkpointTimer = setTimeout(() => {
      this.#checkpointTimer = undefined;
      void this.checkpoint();
    }, wait);
  }

  /** Saves the open window now (also done at most every `checkpointEvery` ms on its own). */
  checkpoint(): Promise<void> {
    return this.#serial(async () => {
      const w = this.#window;
      if (!w || !this.#dirty) return;
      this.#dirty = false;
      this.#drain(w);
      this.#lastCheckpoint = this.#now();
      const c: Checkpoint = {
        key: `${this.instanceId}/${w.start}`,
        instanceId: this.instanceId,
        windowStart: w.start,
        windowEnd: w.end,
        bytes: this.#windowBytes(w),
        events: w.events,
      };
      await this.#store.putCheckpoint(c);
    });
  }

  #closeCurrent(): Promise<void> {
    const w = this.#window;
    if (!w) return Promise.resolve();
    this.#window = null;
    try {
      this.#settle(w);
    } catch (err) {
      console.warn(`edgewatch: could not record a batch (${(err as Error).message})`);
    }
    this.#dirty = false;
    clearTimeout(this.#closeTimer);
    return this.#closeWindow(w, `${this.instanceId}/${w.start}`);
  }

  /** Closes a window: header, privacy (budget, noise), then checkpoint → outbox in one step. */
  #closeWindow(w: OpenWindow, checkpointKey: string): Promise<void> {
    return this.#serial(async () => {
      try {
        const entry = w.events > 0 ? await this.#finish(w) : null;
        await this.#store.closeCheckpoint(checkpointKey, entry, entry ? await this.#foldHeld(entry) : undefined);
        if (entry) {
          this.#uploader?.kick();
          this.#outboxChanged();
        }
      } finally {
        w.profile.dispose();
      }
    });
  }

  async #finish(w: OpenWindow): Promise<OutboxEntry | null> {
    const p = this.#o.privacy;
    if (isPrivate(p)) {
      const refusal = await spendBudget(this.#store, w.start, this.#o.window, p.epsilon, p.dailyEpsilon);
      if (refusal) {
        if (refusal !== 'not-sampled' && !this.#warned.has(refusal)) console.warn(`edgewatch: ${REFUSALS[refusal]}`);
        this.#warned.add(refusal);
        return null;
      }
      this.#warned.delete('budget-spent');
      // Secure windows get their noise from the aggregators, on the batch's sum.
      if (p.mode === 'dp') w.profile.addNoise(noiseScale(p.maxRowsPerWindow, cellsPerEvent(w.profile.columnNames), p.epsilon));
    }
    if (p.mode === 'off' && !p.sketchRegisters) w.profile.withholdRegisters();
    let dropped = 0;
    await this.#store.update<number>(DROPPED_KEY, (n) => ((dropped = n ?? 0), 0));
    const uploadId = crypto.randomUUID();
    // A secure window is its batch: the aligned window every device of the batch states alike.
    const end = p.mode === 'secure' ? w.end : stampedEnd(w, this.#now());
    const header = writeUploadHeader({
      model: this.#o.modelId,
      version: this.#o.modelVersion,
      segment: this.#o.segment,
      windowStart: w.start,
      windowEnd: end,
      deviceId: this.#deviceId,
      uploadId,
      privacy: privacyHeader(p, w.profile.columnNames),
      dropped,
    });
    w.profile.meta = header;
    const entry: OutboxEntry = {
      uploadId,
      group: JSON.stringify([this.#o.modelVersion, header.segment, header.privacy]),
      windowStart: w.start,
      windowEnd: end,
      bytes: w.profile.toBytes(),
      attempts: 0,
      notBefore: 0,
      events: w.events,
    };
    if (p.mode === 'off' && w.events < (p.minRowsPerWindow ?? DEFAULT_MIN_ROWS)) entry.held = true;
    if (p.mode === 'secure') entry.secure = true;
    return entry;
  }

  /**
   * The windows held back for having too few events, merged with the one closing (same group):
   * the merged window leaves once it holds enough. The store writes it and drops the held ones in
   * the closing transaction, so the closing window is never sent alone and then again merged.
   */
  async #foldHeld(entry: OutboxEntry): Promise<Fold | undefined> {
    const held = (await this.#store.outbox()).filter((e) => e.held && e.group === entry.group && e.attempts === 0);
    if (held.length === 0) return undefined;
    let merged: OutboxEntry = { ...entry, held: true };
    for (const e of held) merged = mergeEntries(this.#core, e, merged);
    const p = this.#o.privacy;
    const min = p.mode === 'off' ? (p.minRowsPerWindow ?? DEFAULT_MIN_ROWS) : 1;
    if ((merged.events ?? 0) >= min) delete merged.held;
    return { held: held.map((e) => e.uploadId), merged };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch((err) => console.warn(`edgewatch: ${(err as Error).message}`));
    return next;
  }

  #outboxChanged(): void {
    if (!this.#onOutbox) return;
    this.#store.outbox().then(this.#onOutbox, () => {});
  }

  async #compact(): Promise<void> {
    await compactOutbox(this.#store, this.#core, this.#o.storageCap);
  }

  /** Closes the open window now and uploads everything waiting (returns once a pass is done). */
  async flush(): Promise<void> {
    await this.#closeCurrent();
    await this.#queue;
    if (this.#uploader) await this.#uploader.run();
    else await withLockIfFree(`${lockPrefix}:outbox:${this.#o.modelId}`, () => this.#compact());
  }

  setOnline(online: boolean): void {
    this.#uploader?.setOnline(online);
  }

  async status(): Promise<EngineStatus> {
    const p = this.#o.privacy;
    const left = isPrivate(p) ? await budgetLeft(this.#store, this.#now(), p.dailyEpsilon) : undefined;
    return {
      storage: this.#store.kind,
      privacy: p.mode,
      budgetLeft: left,
      budgetExhausted: left !== undefined && left < (p as { epsilon: number }).epsilon,
      privateUploads: isPrivate(p) ? (this.#store.kind === 'indexeddb' ? 'on' : 'no-persistent-budget') : undefined,
      clippedThisWindow: this.#window?.clipped ?? 0,
      outbox: (await this.#store.outbox()).length,
      online: this.#uploader?.online ?? true,
    };
  }

  /** The outbox as it is now (tests and diagnostics: these are exactly the bytes that leave). */
  outbox(): Promise<OutboxEntry[]> {
    return this.#store.outbox();
  }

  /** Closes the window into the outbox, tries one last upload, and releases everything. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush().catch(() => {});
    this.#closed = true;
    clearTimeout(this.#checkpointTimer);
    clearTimeout(this.#closeTimer);
    clearTimeout(this.#idleDrain);
    this.#uploader?.close();
    this.#releaseInstance();
    this.#store.close();
  }
}

/** A call must carry every tensor the plan records: checked now, so the call fails, not the window. */
function requirePlanned(plan: Plan, inputs: Tensors, outputs: Tensors): void {
  for (const ip of plan.inputs) if (!inputs[ip.input]) throw new RecordingError(`input '${ip.input}' is missing`);
  for (const op of plan.outputs) if (!outputs[op.output]) throw new RecordingError(`output '${op.output}' is missing`);
}

/** How far ahead a closed window's end may lie and still be stamped as it is (see stampedEnd). */
const EARLY_CLOSE_MS = 60_000;

/**
 * The end an upload states. A window closed early (flush, close, pagehide) whose end is more
 * than a minute ahead ends when it closed: its rows stop there, and the collector refuses
 * windows that end minutes in the future as a sign of a wrong clock (an hourly window flushed
 * at twenty past would never be accepted). Windows of a minute or less keep their grid end.
 */
function stampedEnd(w: { start: number; end: number }, now: number): number {
  return w.end - now > EARLY_CLOSE_MS ? Math.max(w.start + 1, now) : w.end;
}
