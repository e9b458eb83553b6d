// edgewatch core: sketches and drift statistics from one WebAssembly engine, in Node, pages and
// workers alike.
import { Core } from './core.ts';
import { Engine } from './engine.ts';
import { compileEngine, type WasmSource } from './wasm-source.ts';

export { Core, type HistogramOptions } from './core.ts';
export { Profile } from './profile.ts';
export { Histogram } from './histogram.ts';
export { CodecError, CoreError } from './errors.ts';
export { DRIFT_DEFAULTS, type DriftOptions } from './compare.ts';
export { QUALITY_DEFAULTS, type QualityOptions } from './quality.ts';
export {
  rocAuc,
  calibration,
  classification,
  confusionMatrix,
  noiseErrorBar,
  type RocAuc,
  type Calibration,
  type CalibrationBin,
  type ClassificationMetrics,
  type ClassMetrics,
  type ErrorBar,
} from './performance.ts';
export { SchemaInference, inferSchema, parseNumber, isMissing } from './schema.ts';
export {
  OTHER,
  HEALTH,
  COLUMN_GROUPS,
  columnName,
  parseColumn,
  outputsAmong,
  groupOf,
  hasBaselineValues,
  type ColumnRole,
  type ColumnGroup,
} from './columns.ts';
export { HeaderError, readUploadHeader, writeUploadHeader, type UploadHeader, type UploadHeaderFields } from './upload-header.ts';
export type * from './types.ts';

export interface LoadOptions {
  /** The engine: bytes, a compiled module or a URL. Default: the package's build/edgewatch.wasm. */
  wasm?: WasmSource;
}

let shared: Promise<Core> | undefined;

/**
 * Loads the core. Without options every call shares one engine (profiles can only merge and
 * compare within one engine); with options each call gets a fresh one.
 */
export function loadCore(options: LoadOptions = {}): Promise<Core> {
  if (options.wasm === undefined) {
    shared ??= instantiate().catch((err) => {
      shared = undefined;
      throw err;
    });
    return shared;
  }
  return instantiate(options.wasm);
}

async function instantiate(source?: WasmSource): Promise<Core> {
  return new Core(await Engine.instantiate(await compileEngine(source)));
}
