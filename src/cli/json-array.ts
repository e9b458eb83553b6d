// Splits a top-level JSON array into the text of its elements as chunks arrive, so a big
// `[{...}, {...}]` file (e.g. flights-200k.json) is read one element at a time.
import { UserError } from './errors.ts';

const OPEN_BRACE = 0x7b,
  CLOSE_BRACE = 0x7d,
  OPEN_BRACKET = 0x5b,
  CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

export class JsonArrayElements {
  #state: 'before' | 'inside' | 'after' = 'before';
  #depth = 0;
  #inString = false;
  #escape = false;
  #pending = '';
  #elements = 0;

  constructor(
    private readonly where: string,
    private readonly maxElementChars: number,
  ) {}

  /** Feeds a chunk; yields the complete elements it finishes (as JSON text). */
  *feed(chunk: string): Generator<string> {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.#state === 'before') {
        if (isSpace(c)) continue;
        if (c !== OPEN_BRACKET) throw new UserError(`${this.where}: not a JSON array of rows (expected "[" at the start)`);
        this.#state = 'inside';
        start = i + 1;
        continue;
      }
      if (this.#state === 'after') {
        if (isSpace(c)) continue;
        throw new UserError(`${this.where}: unexpected data after the closing "]" of the array`);
      }
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === BACKSLASH) this.#escape = true;
        else if (c === QUOTE) this.#inString = false;
        continue;
      }
      if (c === QUOTE) this.#inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.#depth > 0) {
          this.#depth--;
          continue;
        }
        if (c !== CLOSE_BRACKET) throw new UserError(`${this.where}: invalid JSON (unbalanced "}")`);
        const last = this.#take(chunk, start, i);
        if (last.trim() !== '' || this.#elements > 0) yield this.#element(last);
        this.#state = 'after';
      } else if (c === COMMA && this.#depth === 0) {
        yield this.#element(this.#take(chunk, start, i));
        start = i + 1;
      }
    }
    if (this.#state === 'inside') {
      this.#pending += chunk.slice(start);
      if (this.#pending.length > this.maxElementChars) {
        throw new UserError(`${this.where}: element ${this.#elements + 1} is larger than ${this.maxElementChars} characters`);
      }
    }
  }

  /** Call after the last chunk: the array must have been closed. */
  end(): void {
    if (this.#state === 'before') throw new UserError(`${this.where}: empty file, no JSON array`);
    if (this.#state === 'inside') throw new UserError(`${this.where}: the JSON array is not closed (truncated file?)`);
  }

  #take(chunk: string, start: number, end: number): string {
    const text = this.#pending + chunk.slice(start, end);
    this.#pending = '';
    return text;
  }

  #element(text: string): string {
    this.#elements++;
    if (text.trim() === '') throw new UserError(`${this.where}: invalid JSON (empty element ${this.#elements})`);
    return text;
  }
}
