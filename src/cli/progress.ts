// Progress of a long read on stderr: bytes read of the total and rows per second. On a terminal
// one line is rewritten in place; otherwise a line is written now and then.
import { basename } from 'node:path';

const EVERY_MS = 1000;

export class Progress {
  readonly #started = performance.now();
  #lastShown = 0;
  #bytes = 0;
  readonly #tty: boolean;

  constructor(
    private readonly label: string,
    private readonly path: string,
    private readonly totalBytes: number,
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.#tty = Boolean(stream.isTTY);
  }

  bytes(bytesRead: number): void {
    this.#bytes = bytesRead;
  }

  rows(rowsDone: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.#lastShown < EVERY_MS) return;
    this.#lastShown = now;
    this.#write(this.#line(rowsDone, now), false);
  }

  done(rowsDone: number): void {
    if (!this.enabled) return;
    this.#write(this.#line(rowsDone, performance.now()) + ' done', true);
  }

  #line(rowsDone: number, now: number): string {
    const seconds = Math.max((now - this.#started) / 1000, 1e-3);
    const share = this.totalBytes > 0 ? ` (${Math.floor((100 * this.#bytes) / this.totalBytes)}%)` : '';
    return (
      `${this.label} ${basename(this.path)}: ${mib(this.#bytes)} / ${mib(this.totalBytes)} MiB${share}, ` +
      `${rowsDone.toLocaleString('en-US')} rows, ${Math.round(rowsDone / seconds).toLocaleString('en-US')} rows/s`
    );
  }

  #write(line: string, last: boolean): void {
    if (this.#tty) this.stream.write(`\r\x1b[K${line}${last ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
  }
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}
