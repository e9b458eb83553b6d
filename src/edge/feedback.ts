// Delayed ground truth: predictions wait here (in memory, bounded) until their label arrives,
// then the label is folded into the window open at that moment.
import type { Profile } from '../core/profile.ts';
import type { ScoredRows } from './recorder.ts';
import type { FeedbackPlan } from './schema.ts';

/** Predictions kept for feedback; the oldest are forgotten first. */
const DEFAULT_CAPACITY = 10_000;
/** Score values kept for them at most (4 MB of float32): a bound on memory whatever the batch size. */
const DEFAULT_MAX_SCORES = 1 << 20;
/** The score ring's first size; it doubles while the newest predictions do not fit. */
const INITIAL_SCORES = 1 << 14;

/**
 * Prediction ids and the scores they wait with. An id is UUID-shaped: a random prefix drawn once
 * per engine (so an id from an earlier page load never matches) and a 48-bit counter, which is far
 * cheaper per call than a fresh random UUID and names its slot in a ring of the newest
 * `capacity` predictions: no map, no eviction walk.
 *
 * The scores are copied into one ring of float32 values, not into an array per call: a call costs
 * a copy of its few scores and no allocation. The ring grows (by doubling) while it is too small
 * for the newest `capacity` predictions, up to `maxScores` values; past that, a prediction is also
 * forgotten once `maxScores` newer score values overwrote its own.
 */
export class PendingPredictions {
  #prefix = crypto.randomUUID().slice(0, 24);
  #seq = 0;
  /** Per slot: the sequence number whose scores it describes (-1: none), whether it still waits, and where its scores are. */
  #seqs: Float64Array;
  #waiting: Uint8Array;
  #starts: Float64Array;
  #rows: Int32Array;
  #classes: Int32Array;
  /** Predictions too big for the ring keep their own copy. */
  #big = new Map<number, Float32Array>();
  #ring = new Float32Array(0);
  /** Score values written so far: the ring's position is `#written % #ring.length`. */
  #written = 0;
  /** Values written before this were lost when the ring grew (they had been overwritten already). */
  #validFrom = 0;

  /** `maxScores` is a power of two: the ring's sizes are, so a prediction's scores stay contiguous when it grows. */
  constructor(
    private capacity = DEFAULT_CAPACITY,
    private maxScores = DEFAULT_MAX_SCORES,
  ) {
    if (!(capacity >= 1) || !Number.isInteger(Math.log2(maxScores)))
      throw new Error('edgewatch: capacity ≥ 1 and a power-of-two maxScores are needed');
    this.#seqs = new Float64Array(capacity).fill(-1);
    this.#waiting = new Uint8Array(capacity);
    this.#starts = new Float64Array(capacity);
    this.#rows = new Int32Array(capacity);
    this.#classes = new Int32Array(capacity);
  }

  /** The sequence number of the next prediction (every recorded call takes one). */
  next(): number {
    return this.#seq++;
  }

  /** The id of a sequence number. */
  idOf(seq: number): string {
    return this.#prefix + seq.toString(16).padStart(12, '0');
  }

  /** A fresh id (every recorded call gets one, whether or not it waits for feedback). */
  newId(): string {
    return this.idOf(this.next());
  }

  /**
   * Keeps a copy of `rows` rows of `classes` scores, row-major, starting at `offset` in `scores`,
   * for the prediction `seq` (a number from next()).
   */
  keep(seq: number, scores: ArrayLike<number>, offset: number, rows: number, classes: number): void {
    const slot = seq % this.capacity;
    const n = rows * classes;
    this.#big.delete(this.#seqs[slot]);
    if (n > this.maxScores / 4) {
      this.#big.set(
        seq,
        Float32Array.from({ length: n }, (_, i) => scores[offset + i]),
      );
      this.#starts[slot] = -1;
    } else {
      this.#makeRoom(seq, n);
      const size = this.#ring.length;
      let at = this.#written % size;
      // A prediction's scores stay contiguous: when they do not fit before the end, they start over.
      if (at + n > size) {
        this.#written += size - at;
        at = 0;
      }
      this.#starts[slot] = this.#written;
      const ring = this.#ring;
      for (let i = 0; i < n; i++) ring[at + i] = scores[offset + i];
      this.#written += n;
    }
    this.#seqs[slot] = seq;
    this.#waiting[slot] = 1;
    this.#rows[slot] = rows;
    this.#classes[slot] = classes;
  }

  /**
   * Below its bound, the ring doubles until writing n values (and a skipped tail of at most n)
   * leaves the scores of the oldest of the newest `capacity` predictions in place.
   */
  #makeRoom(seq: number, n: number): void {
    const oldest = Math.max(0, seq - this.capacity + 1);
    const slot = oldest % this.capacity;
    const start = oldest < seq && this.#seqs[slot] === oldest && this.#starts[slot] >= 0 ? this.#starts[slot] : this.#written;
    for (let size = this.#ring.length; size < this.maxScores && this.#written + 2 * n - start > size; size = this.#ring.length) {
      this.#grow(Math.min(this.maxScores, size ? size * 2 : INITIAL_SCORES));
    }
  }

  #grow(size: number): void {
    const old = this.#ring;
    const grown = new Float32Array(size);
    // Values keep their place in the write order: the newest old.length of them move over.
    const from = Math.max(0, this.#written - old.length);
    for (let v = from; v < this.#written; v++) grown[v % size] = old[v % old.length];
    this.#ring = grown;
    this.#validFrom = from;
  }

  /** The scores of a prediction that still waits (a copy), or undefined. */
  get(id: string): ScoredRows | undefined {
    const seq = this.#seqOf(id);
    if (seq < 0) return undefined;
    const slot = seq % this.capacity;
    if (this.#seqs[slot] !== seq || !this.#waiting[slot]) return undefined;
    const classes = this.#classes[slot];
    const start = this.#starts[slot];
    if (start < 0) return { scores: this.#big.get(seq)!.slice(), classes };
    const size = this.#ring.length;
    if (start < this.#validFrom || this.#written - start > size) return undefined; // overwritten by newer scores
    const at = start % size;
    return { scores: this.#ring.slice(at, at + this.#rows[slot] * classes), classes };
  }

  /** A prediction takes its labels once. */
  forget(id: string): void {
    const seq = this.#seqOf(id);
    if (seq < 0) return;
    const slot = seq % this.capacity;
    if (this.#seqs[slot] !== seq) return;
    this.#waiting[slot] = 0;
    this.#big.delete(seq);
  }

  /** The sequence number an id of this engine names, or -1. */
  #seqOf(id: string): number {
    if (typeof id !== 'string' || id.length !== 36 || !id.startsWith(this.#prefix)) return -1;
    const n = parseInt(id.slice(24), 16);
    return Number.isSafeInteger(n) && n < this.#seq ? n : -1;
  }
}

export class FeedbackError extends Error {
  override name = 'FeedbackError';
}

function classIndex(plan: FeedbackPlan, label: string | number): number {
  const byName = plan.classes.indexOf(String(label));
  if (byName >= 0) return byName;
  if (typeof label === 'number' && Number.isInteger(label) && label >= 0 && label < plan.classes.length) return label;
  throw new FeedbackError(`label '${label}' is not one of the classes ${plan.classes.join(', ')}`);
}

/** Number of rows the labels cover (validated before anything is recorded). */
/** Checks the labels (count, known classes) before anything is recorded; returns class indices. */
export function labelsFor(plan: FeedbackPlan, rows: ScoredRows, labels: string | number | readonly (string | number)[]): number[] {
  const n = rows.scores.length / rows.classes;
  const list = Array.isArray(labels) ? [...labels] : [labels as string | number];
  if (list.length !== n) throw new FeedbackError(`the prediction had ${n} rows but ${list.length} labels were given`);
  return list.map((l) => classIndex(plan, l));
}

/** Records the labels of one earlier prediction: confusion, scores by true label, calibration. */
export function recordFeedback(p: Profile, plan: FeedbackPlan, rows: ScoredRows, truth: readonly number[]): void {
  const k = rows.classes;
  const confusion: string[] = [];
  const all: number[] = [];
  const correct: number[] = [];
  const byLabel = plan.scoreByLabel.map((perLabel) => perLabel.map(() => [] as number[]));
  truth.forEach((t, r) => {
    const s = rows.scores.subarray(r * k, (r + 1) * k);
    let best = 0;
    for (let c = 1; c < k; c++) if (s[c] > s[best]) best = c;
    confusion.push(`${plan.classes[t]}|${plan.classes[best]}`);
    all.push(s[best]);
    if (best === t) correct.push(s[best]);
    for (let c = 0; c < k; c++) byLabel[c][t].push(s[c]);
  });
  p.recordLabels(plan.confusion, confusion);
  p.recordNumbers(plan.calibrationAll, all);
  p.recordNumbers(plan.calibrationCorrect, correct);
  plan.scoreByLabel.forEach((perLabel, c) =>
    perLabel.forEach((name, l) => {
      if (byLabel[c][l].length) p.recordNumbers(name, byLabel[c][l]);
    }),
  );
}
