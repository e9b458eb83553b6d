// The upload header: string key/values a device puts in a window's profile `meta`, written by the
// edge runtime with writeUploadHeader and checked by the collector with readUploadHeader before
// anything is stored — one declaration of the contract for both ends. Keys:
//   model, modelVersion      which model the sketches describe
//   windowStart, windowEnd   the window, ms since the epoch (decimal strings)
//   deviceId                 random per install; counted for k-anonymity, never shown
//   uploadId                 unique per window upload; a retry reuses it (idempotency)
//   segment                  optional JSON object of string values, e.g. {"region":"eu"}
//   privacy                  optional JSON object, e.g. {"mode":"dp","epsilon":1,"noiseScale":…}
//   dropped                  optional count of windows the device dropped (full outbox) since its last upload
import { CoreError } from './errors.ts';

/** What a device says about a window it uploads. */
export interface UploadHeaderFields {
  model: string;
  version: string;
  windowStart: number;
  windowEnd: number;
  deviceId: string;
  uploadId: string;
  segment: Record<string, string>;
  privacy: Record<string, unknown>;
  dropped: number;
}

/** The header as the collector reads it: the fields, checked, and what follows from them. */
export interface UploadHeader extends UploadHeaderFields {
  /** privacy.noiseScale of a private-mode (`"mode": "dp"`) upload, else null. */
  noiseScale: number | null;
}

/** A header the collector refuses; `reason` is the refusal's label (`header`, `window`, `clock`). */
export class HeaderError extends CoreError {
  override name = 'HeaderError';
  constructor(
    readonly reason: 'header' | 'window' | 'clock',
    message: string,
  ) {
    super(message);
  }
}

export function writeUploadHeader(h: UploadHeaderFields): Record<string, string> {
  return {
    model: h.model,
    modelVersion: h.version,
    segment: JSON.stringify(h.segment),
    windowStart: String(h.windowStart),
    windowEnd: String(h.windowEnd),
    deviceId: h.deviceId,
    uploadId: h.uploadId,
    privacy: JSON.stringify(h.privacy),
    dropped: String(h.dropped),
  };
}

// Names appear in URL paths, so no slash.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ID = /^[A-Za-z0-9._:-]{8,128}$/;

const bad = (reason: HeaderError['reason'], msg: string) => new HeaderError(reason, msg);

function required(meta: Record<string, string>, key: string): string {
  const v = Object.hasOwn(meta, key) ? meta[key] : undefined;
  if (typeof v !== 'string' || v === '') throw bad('header', `header: missing "${key}"`);
  return v;
}

function millis(meta: Record<string, string>, key: string): number {
  const raw = required(meta, key);
  const n = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(n)) throw bad('header', `header: "${key}" must be ms since the epoch`);
  return n;
}

function jsonObject(meta: Record<string, string>, key: string): Record<string, unknown> {
  const raw = Object.hasOwn(meta, key) ? meta[key] : undefined;
  if (raw === undefined || raw === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw bad('header', `header: "${key}" is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('header', `header: "${key}" must be a JSON object`);
  return v as Record<string, unknown>;
}

/** Canonical segment: string values, keys sorted, so equal segments compare equal in SQL. */
function segmentOf(meta: Record<string, string>): Record<string, string> {
  const raw = jsonObject(meta, 'segment');
  const keys = Object.keys(raw).sort();
  if (keys.length > 16) throw bad('header', 'header: "segment" has more than 16 keys');
  const out: Record<string, string> = Object.create(null);
  for (const k of keys) {
    const v = raw[k];
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(k)) throw bad('header', `header: segment key "${k.slice(0, 64)}" is invalid`);
    if (typeof v !== 'string' || v.length > 128) throw bad('header', `header: segment "${k}" must be a string of at most 128 chars`);
    out[k] = v;
  }
  return out;
}

/** Windows dropped by the device: a small non-negative integer, 0 when absent. */
function droppedOf(meta: Record<string, string>): number {
  const raw = Object.hasOwn(meta, 'dropped') ? meta.dropped : undefined;
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,9}$/.test(raw)) throw bad('header', 'header: "dropped" must be a count of windows');
  return Number(raw);
}

export function readUploadHeader(
  meta: Record<string, string>,
  now: number,
  limits: { maxFutureMs: number; maxAgeMs: number },
): UploadHeader {
  const model = required(meta, 'model');
  const version = required(meta, 'modelVersion');
  if (!NAME.test(model)) throw bad('header', 'header: "model" has invalid characters or length');
  if (!NAME.test(version)) throw bad('header', 'header: "modelVersion" has invalid characters or length');
  const deviceId = required(meta, 'deviceId');
  const uploadId = required(meta, 'uploadId');
  if (!ID.test(deviceId)) throw bad('header', 'header: "deviceId" must be 8-128 chars of [A-Za-z0-9._:-]');
  if (!ID.test(uploadId)) throw bad('header', 'header: "uploadId" must be 8-128 chars of [A-Za-z0-9._:-]');
  const windowStart = millis(meta, 'windowStart');
  const windowEnd = millis(meta, 'windowEnd');
  if (windowEnd <= windowStart) throw bad('window', 'window: windowEnd must be after windowStart');
  if (windowEnd - windowStart > 86_400_000) throw bad('window', 'window: longer than one day');
  // Not the upload's fault but its device's clock: the device corrects its windows with the
  // collector's clock (the responses' Date) and sends again.
  if (windowEnd > now + limits.maxFutureMs) {
    throw bad(
      'clock',
      `clock: the window ends ${Math.round((windowEnd - now) / 1000)}s after the collector's now; correct the device clock by the Date header`,
    );
  }
  if (windowStart < now - limits.maxAgeMs) throw bad('window', 'window: starts too far in the past');
  const privacy = jsonObject(meta, 'privacy');
  return {
    model,
    version,
    windowStart,
    windowEnd,
    deviceId,
    uploadId,
    segment: segmentOf(meta),
    privacy,
    dropped: droppedOf(meta),
    noiseScale: noiseScaleOf(privacy),
  };
}

function noiseScaleOf(privacy: Record<string, unknown>): number | null {
  if (privacy.mode !== 'dp') return null;
  const b = privacy.noiseScale;
  if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) throw bad('header', 'header: a "dp" upload needs privacy.noiseScale > 0');
  return b;
}

/** The windows dropped that a header reports (0 if it says none, or nothing readable). */
export function droppedIn(meta: Record<string, string>): number {
  try {
    return droppedOf(meta);
  } catch {
    return 0;
  }
}

/**
 * What changes in the header when the device merges two of its windows into one upload: the
 * span covering both, a new upload id, and the dropped windows both reported.
 */
export function mergedHeader(
  a: Record<string, string>,
  b: Record<string, string>,
  merged: { windowStart: number; windowEnd: number; uploadId: string },
): Record<string, string> {
  return {
    windowStart: String(merged.windowStart),
    windowEnd: String(merged.windowEnd),
    uploadId: merged.uploadId,
    dropped: String(droppedIn(a) + droppedIn(b)),
  };
}
