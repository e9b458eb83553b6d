// Whether the collector can store what it is sent. A full disk (or a read-only or failing
// database) lets reads and `select 1` pass while every upload fails, so /healthz also reports
// the outcome of the latest upload write: failing from a failed write until the next one that
// succeeds. Exported as edgewatch_storage_writes_failing (1 while failing).
import { Gauge, type Registry } from 'prom-client';

export class WriteHealth {
  #error: string | null = null;
  readonly #gauge: Gauge;

  constructor(registry: Registry) {
    this.#gauge = new Gauge({
      name: 'edgewatch_storage_writes_failing',
      help: '1 while the latest upload write failed (disk full, read-only or failing database), else 0.',
      registers: [registry],
    });
    this.#gauge.set(0);
  }

  ok(): void {
    this.#error = null;
    this.#gauge.set(0);
  }

  failed(err: unknown): void {
    this.#error = String((err as Error)?.message ?? err)
      .split('\n')[0]
      .slice(0, 300);
    this.#gauge.set(1);
  }

  /** The latest write's error while writes fail, else null. */
  get error(): string | null {
    return this.#error;
  }
}
