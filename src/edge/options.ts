// What a web developer passes to createMonitor/instrument, and the defaults that fill the gaps.
import type { GridColumn } from '../core/read-api.ts';
import { checkHelperKey, type HelperKey } from '../core/helper-key.ts';
import type { OrtOptions } from './ort-session.ts';
import { DAY_MS } from './privacy.ts';

/** A tensor as it crosses the worker boundary: ort.Tensor fits, and so does a plain object. */
export interface TensorLike {
  type: string;
  data: ArrayLike<number> | ArrayLike<bigint> | readonly string[];
  dims: readonly number[];
}

export type Tensors = Record<string, TensorLike>;

/** Grid a private-mode column is recorded on: percentile edges or a vocabulary (from the baseline). */
export type { GridColumn };
export interface Grid {
  columns: Record<string, GridColumn>;
}

export type PrivacyOptions =
  | {
      mode: 'off';
      /**
       * A window with fewer events (rows, failures, feedback rows) is not uploaded: it waits on
       * the device and is merged into the next window that closes. Default 10.
       */
      minRowsPerWindow?: number;
      /**
       * Labels of a categorical column without a declared vocabulary (`vocabularies`): 'hash'
       * (default) uploads a hash of each label, 'other' folds them all into `__other__`.
       */
      labels?: 'hash' | 'other';
      /**
       * Upload the HyperLogLog registers of categorical columns past their capacity (their
       * distinct counts). Default false: registers answer "was this value seen?" for any value.
       */
      sketchRegisters?: boolean;
    }
  | {
      mode: 'dp';
      /** ε spent by one uploaded window of one device. */
      epsilon: number;
      /** Events (rows, failures, feedback) one window may record; further ones are not recorded. */
      maxRowsPerWindow: number;
      /**
       * ε one device may spend per UTC day (the unit of privacy is a device-day): ⌊dailyEpsilon/ε⌋
       * windows, drawn at random among the day's windows, are uploaded; the others are not.
       */
      dailyEpsilon: number;
      /** The baseline grid; fetched from the collector (and cached) when absent. */
      grid?: Grid;
    }
  | {
      /**
       * Two-aggregator mode: each window leaves as two additive shares, one for the collector
       * (the leader) and one sealed to its helper, run by another party; each adds noise to its
       * sum of a batch, so the release is private if either is honest (docs/privacy.md).
       */
      mode: 'secure';
      /** ε of one window in the released aggregate (the noise the aggregators add). */
      epsilon: number;
      /** Events (rows, failures, feedback) one window may record; further ones are not recorded. */
      maxRowsPerWindow: number;
      /** ε one device may spend per UTC day, as in 'dp'. */
      dailyEpsilon: number;
      /**
       * The helper's public key as its GET /v1/hpke-config serves it. Pin it in the page: a key
       * fetched through the leader could be the leader's own.
       */
      helperKey: HelperKey;
      /** The baseline grid; fetched from the collector (and cached) when absent. */
      grid?: Grid;
    };

/** The modes that record on fixed grids, clip, and spend a daily budget. */
export type PrivateOptions = Extract<PrivacyOptions, { mode: 'dp' | 'secure' }>;

export function isPrivate(p: PrivacyOptions): p is PrivateOptions {
  return p.mode === 'dp' || p.mode === 'secure';
}

export interface MonitorOptions {
  /** Model URL or bytes (createMonitor only). */
  model?: string | URL | ArrayBuffer | Uint8Array;
  modelId: string;
  modelVersion: string;
  /** Column names of a tabular float input [batch, features]. */
  features?: string[];
  /** Class labels of a classifier's score output, in output order. Default '0', '1', …. */
  classes?: string[];
  /** Declared vocabularies of categorical inputs: other labels fold into `__other__`. */
  vocabularies?: Record<string, string[]>;
  /**
   * Centers of numeric input columns (the baseline's, from `baseline.schema()`): their
   * histograms bucket x − center, so offset features (years, kelvin, timestamps) keep their
   * resolution and compare on the baseline's own buckets.
   */
  centers?: Record<string, number>;
  /** Collector base URL; without it windows stay in the outbox. */
  collector?: string;
  apiKey?: string;
  /** Window length in ms, aligned to the wall clock. Default 60 000. */
  window?: number;
  /** Longest time the open window goes without a checkpoint, ms. Default 5 000. */
  checkpointEvery?: number;
  /** Outbox size cap in bytes. Default 5 MB. */
  storageCap?: number;
  segment?: Record<string, string>;
  privacy?: PrivacyOptions;
  /** onnxruntime-web execution providers, in order of preference. Default ['wasm']. */
  executionProviders?: string[];
  /** onnxruntime-web's runtime settings (wasmPaths, numThreads, proxy) and session options. */
  ort?: OrtOptions;
  /**
   * URL of edgewatch's own core (edgewatch.wasm), for apps that serve it themselves. Default: the
   * package's file, which bundlers that understand `new URL(…, import.meta.url)` emit as an asset.
   */
  coreWasm?: string | URL;
  upload?: { baseDelayMs?: number; maxDelayMs?: number };
}

export const DEFAULT_MIN_ROWS = 10;

export interface ResolvedOptions extends MonitorOptions {
  window: number;
  checkpointEvery: number;
  storageCap: number;
  segment: Record<string, string>;
  privacy: PrivacyOptions;
}

export function resolveOptions(o: MonitorOptions): ResolvedOptions {
  if (!o || typeof o.modelId !== 'string' || o.modelId === '') throw new TypeError('edgewatch: modelId is required');
  if (typeof o.modelVersion !== 'string' || o.modelVersion === '') throw new TypeError('edgewatch: modelVersion is required');
  const window = o.window ?? 60_000;
  if (!(window >= 1000)) throw new RangeError('edgewatch: window must be at least 1000 ms');
  const privacy: PrivacyOptions = o.privacy ?? { mode: 'off' };
  if (privacy.mode === 'off') {
    const min = privacy.minRowsPerWindow ?? DEFAULT_MIN_ROWS;
    if (!Number.isInteger(min) || min < 1) throw new RangeError('edgewatch: privacy.minRowsPerWindow must be a positive integer');
    if (privacy.labels !== undefined && privacy.labels !== 'hash' && privacy.labels !== 'other')
      throw new RangeError("edgewatch: privacy.labels must be 'hash' or 'other'");
  } else if (isPrivate(privacy)) {
    for (const k of ['epsilon', 'maxRowsPerWindow', 'dailyEpsilon'] as const) {
      if (!(privacy[k] > 0) || !Number.isFinite(privacy[k])) throw new RangeError(`edgewatch: privacy.${k} must be a positive number`);
    }
    if (!Number.isInteger(privacy.maxRowsPerWindow)) throw new RangeError('edgewatch: privacy.maxRowsPerWindow must be an integer');
    if (privacy.epsilon > privacy.dailyEpsilon) throw new RangeError('edgewatch: privacy.epsilon must not exceed privacy.dailyEpsilon');
    // The budget is per UTC day: a window must not straddle midnight, or its rows would count
    // against one day and belong to two.
    if (DAY_MS % window !== 0 && window % DAY_MS !== 0)
      throw new RangeError('edgewatch: in the private mode, window must divide a day (86 400 000 ms) or be whole days');
    if (privacy.mode === 'secure') checkHelperKey(privacy.helperKey);
  } else {
    throw new RangeError(`edgewatch: unknown privacy mode '${(privacy as { mode: string }).mode}'`);
  }
  for (const [name, c] of Object.entries(o.centers ?? {})) {
    if (typeof c !== 'number' || !Number.isFinite(c)) throw new RangeError(`edgewatch: centers.${name} must be a finite number`);
  }
  return {
    ...o,
    window,
    checkpointEvery: o.checkpointEvery ?? 5000,
    storageCap: o.storageCap ?? 5_000_000,
    segment: o.segment ?? {},
    privacy,
  };
}

/** The part of the options that can cross to the worker (the model travels separately). */
export function workerOptions(o: ResolvedOptions, base: string): ResolvedOptions {
  const { model: _model, coreWasm, ...rest } = o;
  // A worker resolves relative URLs against its own script, not the page; a URL object does not
  // survive postMessage. So the page resolves it.
  return (coreWasm === undefined ? rest : { ...rest, coreWasm: new URL(String(coreWasm), base).href }) as ResolvedOptions;
}
