// A uniform sample of at most k items from a stream of unknown length (reservoir sampling,
// Algorithm L: Li, "Reservoir-sampling algorithms of time complexity O(n(1+log(N/n)))", 1994).
// Only the decisions live here: which item goes into which slot. The caller keeps the items.
// Algorithm L draws the gap to the next kept item instead of a coin per item, so after the
// reservoir is full most items cost one comparison and no randomness at all.
// Randomness comes from crypto.getRandomValues: the sample must not be predictable from outside.

/** Uniform doubles in (0, 1), 53 bits, from a pool of crypto random words. */
export class CryptoUniform {
  #pool = new Uint32Array(256);
  #at = this.#pool.length;

  next(): number {
    if (this.#at + 2 > this.#pool.length) {
      crypto.getRandomValues(this.#pool);
      this.#at = 0;
    }
    const hi = this.#pool[this.#at++] >>> 5; // 27 bits
    const lo = this.#pool[this.#at++] >>> 6; // 26 bits
    // (m + 0.5) / 2^53 keeps both ends open: log() never sees 0 and 1 − u never is 0.
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }
}

export class Reservoir {
  readonly capacity: number;
  /** Items offered so far. */
  seen = 0;
  #random: () => number;
  #w = 0;
  /** Index (in `seen` order) of the next item that replaces a slot once the reservoir is full. */
  #next = 0;

  constructor(capacity: number, random: () => number = uniform()) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('a reservoir holds at least one item');
    this.capacity = capacity;
    this.#random = random;
  }

  /** Items held now. */
  get size(): number {
    return Math.min(this.seen, this.capacity);
  }

  /**
   * Offers the next `n` items of the stream. For each one the sample takes, calls
   * take(offset within these n, slot); a later item may take the slot of an earlier one of the
   * same call, exactly as if they had been offered one by one.
   */
  offer(n: number, take: (offset: number, slot: number) => void): void {
    const start = this.seen;
    const end = start + n;
    const k = this.capacity;
    // Filling: the first k items all go in, in order.
    let i = start;
    for (; i < end && i < k; i++) take(i - start, i);
    if (i === k && start < k) this.#begin();
    if (end > k) {
      while (this.#next < end) {
        take(this.#next - start, Math.floor(this.#random() * k));
        this.#advance();
      }
    }
    this.seen = end;
  }

  /** Once the reservoir is full: the weight W and the first item after it that is kept. */
  #begin(): void {
    this.#w = Math.exp(Math.log(this.#random()) / this.capacity);
    this.#next = this.capacity - 1;
    this.#skip();
  }

  #advance(): void {
    this.#w *= Math.exp(Math.log(this.#random()) / this.capacity);
    this.#skip();
  }

  #skip(): void {
    this.#next += Math.floor(Math.log(this.#random()) / Math.log1p(-this.#w)) + 1;
  }
}

function uniform(): () => number {
  const u = new CryptoUniform();
  return () => u.next();
}
