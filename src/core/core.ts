// The core: one engine instance and the ways to make sketches in it.
import type { Engine } from './engine.ts';
import { CoreError } from './errors.ts';
import { Histogram, HISTOGRAM_COLUMN } from './histogram.ts';
import { Profile } from './profile.ts';
import { compareProfiles, compareProfilesInSlices, type DriftOptions } from './compare.ts';
import type { QualityOptions } from './quality.ts';
import { inferSchema } from './schema.ts';
import type { CellValue, DriftReport, Schema } from './types.ts';

export interface HistogramOptions {
  /** -10..8, default 5 (relative quantile error <= 1.08%). */
  scale?: number;
  /** Buckets per sign before downscaling, default 1024. */
  maxBuckets?: number;
}

export class Core {
  /** @internal */
  constructor(readonly engine: Engine) {}

  histogram(options: HistogramOptions = {}): Histogram {
    return new Histogram(this.profile({ columns: [{ name: HISTOGRAM_COLUMN, kind: 'numeric', center: 0, ...options }] }));
  }

  histogramFromBytes(bytes: Uint8Array): Histogram {
    const p = this.profileFromBytes(bytes);
    try {
      return new Histogram(p);
    } catch (err) {
      p.dispose();
      throw err;
    }
  }

  profile(schema: Schema): Profile {
    if (!schema || !Array.isArray(schema.columns)) throw new CoreError('a schema is { columns: [...] }');
    const p = new Profile(this.engine, this.engine.x.profile_new());
    try {
      for (const spec of schema.columns) p.addColumn(spec);
    } catch (err) {
      p.dispose();
      throw err;
    }
    return p;
  }

  /** Decodes bytes from toBytes(); throws CodecError with a one-line reason for anything else. */
  profileFromBytes(bytes: Uint8Array): Profile {
    if (!(bytes instanceof Uint8Array)) throw new CoreError('profileFromBytes takes a Uint8Array');
    return new Profile(this.engine, this.engine.decode(bytes));
  }

  /**
   * Decodes one device window: profileFromBytes' checks plus an upload's own (counts within one
   * window's ceiling, noise only in the "dp" mode, one row count per family of columns recorded
   * together: assembly/row_families.ts).
   */
  uploadFromBytes(bytes: Uint8Array): Profile {
    if (!(bytes instanceof Uint8Array)) throw new CoreError('uploadFromBytes takes a Uint8Array');
    return new Profile(this.engine, this.engine.decodeUpload(bytes));
  }

  inferSchema(rows: Iterable<Record<string, CellValue>>): Schema {
    return inferSchema(rows);
  }

  compare(baseline: Profile, current: Profile, options?: DriftOptions & QualityOptions): DriftReport {
    return compareProfiles(baseline, current, options);
  }

  /** compare(), awaiting `pause()` every 16 columns (see compareProfilesInSlices). */
  compareInSlices(
    baseline: Profile,
    current: Profile,
    options: (DriftOptions & QualityOptions) | undefined,
    pause: () => Promise<void>,
  ): Promise<DriftReport> {
    return compareProfilesInSlices(baseline, current, options ?? {}, pause);
  }

  /** Live profiles and the engine's memory: for leak checks and dashboards of the monitor itself. */
  stats(): { liveProfiles: number; memoryBytes: number } {
    return { liveProfiles: this.engine.x.live_handles(), memoryBytes: this.engine.x.memory.buffer.byteLength };
  }
}
