// A single numeric sketch: a profile with one exponential-histogram column named "value", so it
// shares the profile's codec and merge.
import type { Profile } from './profile.ts';
import { CoreError } from './errors.ts';
import type { NumericSummary } from './types.ts';

export const HISTOGRAM_COLUMN = 'value';

export class Histogram {
  constructor(readonly profile: Profile) {
    const cols = profile.columns;
    if (cols.length !== 1 || cols[0].kind !== 'numeric' || cols[0].name !== HISTOGRAM_COLUMN) {
      throw new CoreError(`not a single histogram: expected one numeric column '${HISTOGRAM_COLUMN}'`);
    }
  }

  add(x: number): this {
    this.profile.recordNumbers(HISTOGRAM_COLUMN, [x]);
    return this;
  }

  addMany(values: Float64Array | Float32Array | readonly number[]): this {
    this.profile.recordNumbers(HISTOGRAM_COLUMN, values);
    return this;
  }

  quantile(q: number): number {
    return this.profile.quantiles(HISTOGRAM_COLUMN, [q])[0];
  }

  /** Values recorded (NaN and infinities included). */
  get count(): number {
    return this.summary().count;
  }

  merge(other: Histogram): this {
    this.profile.merge(other.profile);
    return this;
  }

  summary(): NumericSummary {
    return this.profile.summary(HISTOGRAM_COLUMN) as NumericSummary;
  }

  toBytes(): Uint8Array {
    return this.profile.toBytes();
  }

  dispose(): void {
    this.profile.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
