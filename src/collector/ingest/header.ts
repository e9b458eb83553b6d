// The upload header: string key/values the device puts in the profile's `meta`, checked before
// anything is stored. Keys (docs/collector.md, "Ingest payload"):
//   model, modelVersion      which model the sketches describe
//   windowStart, windowEnd   the window, ms since the epoch (decimal strings)
//   deviceId                 random per install; counted for k-anonymity, never shown
//   uploadId                 unique per window upload; a retry reuses it (idempotency)
//   segment                  optional JSON object of string values, e.g. {"region":"eu"}
//   privacy                  optional JSON object, e.g. {"mode":"dp","epsilon":1}
import { RequestError } from '../errors.ts';

export interface UploadHeader {
  model: string;
  version: string;
  windowStart: number;
  windowEnd: number;
  deviceId: string;
  uploadId: string;
  segment: Record<string, string>;
  privacy: Record<string, unknown>;
  /** privacy.noiseScale of a private-mode (`"mode": "dp"`) upload, else null. */
  noiseScale: number | null;
}

// Names appear in URL paths, so no slash.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ID = /^[A-Za-z0-9._:-]{8,128}$/;

const bad = (reason: string, msg: string) => new RequestError(422, reason, msg);

function required(meta: Record<string, string>, key: string): string {
  const v = meta[key];
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
  const raw = meta[key];
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

export function parseHeader(
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
  if (windowEnd > now + limits.maxFutureMs) throw bad('clock', `clock: the window ends ${Math.round((windowEnd - now) / 1000)}s after the collector's now; correct the device clock by the Date header`);
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
    noiseScale: noiseScaleOf(privacy),
  };
}

function noiseScaleOf(privacy: Record<string, unknown>): number | null {
  if (privacy.mode !== 'dp') return null;
  const b = privacy.noiseScale;
  if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) throw bad('header', 'header: a "dp" upload needs privacy.noiseScale > 0');
  return b;
}
