// A secure-mode report: one device window as two additive shares for two non-colluding
// aggregators, in the manner of Prio and IETF DAP. The leader's share travels in the clear (it is
// uniformly random on its own); the helper's share is a 16-byte seed, expanded by AES-128-CTR
// into the mask, and sealed to the helper's public key with HPKE (RFC 9180: DHKEM(P-256,
// HKDF-SHA256), HKDF-SHA256, AES-128-GCM) with the report's id, batch, parameters, cell count and
// layout as associated data, so a share moved to another batch or report does not open.
//
// The layout is the window's profile with every cell zero and no device in its header: the
// columns, grids and vocabularies the cells belong to, which the leader needs to turn a batch's
// sum back into a profile. Every report of a batch has the same layout (its hash is in the batch).
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import type { Core } from './core.ts';
import { CoreError } from './errors.ts';
import type { Profile } from './profile.ts';
import { AEAD, checkHelperKey, type HelperKey, KDF, KEM } from './helper-key.ts';
import { cellVector, setCells, splitShares } from './shares.ts';

export { checkHelperKey, type HelperKey };

export class SecureReportError extends CoreError {
  override name = 'SecureReportError';
}

/** Which batch a report belongs to: its aggregate is released once, or never. */
export interface SecureBatch {
  model: string;
  version: string;
  segment: Record<string, string>;
  windowStart: number;
  windowEnd: number;
}

/** What the noise is calibrated to: the helper computes its noise from these, not the leader's word. */
export interface SecureParams {
  epsilon: number;
  maxRowsPerWindow: number;
  cellsPerEvent: number;
}

export interface SecureReport {
  v: 1;
  reportId: string;
  batch: SecureBatch;
  params: SecureParams;
  cells: number;
  layout: string;
  layoutHash: string;
  leaderShare: string;
  helperShare: { keyId: string; enc: string; ciphertext: string };
}

const INFO = new TextEncoder().encode('edgewatch secure report v1');
const SEED_BYTES = 16;
/** Cells per report at most: a 4,096-column window of 64-bin grids is about 280k. */
export const MAX_CELLS = 1 << 20;

let cached: CipherSuite | undefined;
const suite = () => {
  cached ??= new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
  return cached;
};

/** The cell count a profile's report has (also: whether it can be shared at all). */
export function reportCells(p: Profile): number {
  return cellVector(p).length;
}

/**
 * The noise scale b an aggregator adds to each cell of a batch's sum: one device's window adds
 * at most C·k to the vector's L1 norm (C events of at most k cells each), so two batches that
 * differ by one device-window are ε-DP apart with two-sided geometric noise of scale C·k/ε.
 */
export function secureNoiseScale(p: SecureParams): number {
  return (p.maxRowsPerWindow * p.cellsPerEvent) / p.epsilon;
}

/** The mask a helper seed stands for: AES-128-CTR's keystream from a zero counter, as n words. */
export async function expandSeed(seed: Uint8Array, n: number): Promise<BigUint64Array> {
  if (seed.byteLength !== SEED_BYTES) throw new SecureReportError(`a helper seed is ${SEED_BYTES} bytes`);
  const key = await crypto.subtle.importKey('raw', seed as Uint8Array<ArrayBuffer>, 'AES-CTR', false, ['encrypt']);
  const stream = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 64 }, key, new Uint8Array(n * 8));
  return new BigUint64Array(stream);
}

/** The associated data both the device and the helper compute from the report's public parts. */
export function reportAad(r: Pick<SecureReport, 'reportId' | 'batch' | 'params' | 'cells' | 'layoutHash'>): Uint8Array {
  const b = r.batch;
  const p = r.params;
  return new TextEncoder().encode(
    JSON.stringify([
      'edgewatch/secure/1',
      r.reportId,
      b.model,
      b.version,
      canonicalJson(b.segment),
      b.windowStart,
      b.windowEnd,
      p.epsilon,
      p.maxRowsPerWindow,
      p.cellsPerEvent,
      r.cells,
      r.layoutHash,
    ]),
  );
}

/**
 * Shares a closed private window for the two aggregators. `window` is recorded on fixed grids
 * and vocabularies with at most C events (the engine's clipping); it is left as it was.
 */
export async function sealReport(
  core: Core,
  window: Profile,
  helper: HelperKey,
  batch: SecureBatch,
  params: SecureParams,
): Promise<SecureReport> {
  checkHelperKey(helper);
  const cells = cellVector(window);
  const layoutProfile = core.profileFromBytes(window.toBytes());
  let layout: Uint8Array;
  try {
    setCells(layoutProfile, new BigInt64Array(cells.length));
    layoutProfile.replaceMeta(layoutMeta(batch, params));
    layout = layoutProfile.toBytes();
  } finally {
    layoutProfile.dispose();
  }
  const seed = crypto.getRandomValues(new Uint8Array(SEED_BYTES));
  const leader = splitShares(core, cells, await expandSeed(seed, cells.length));
  const head = {
    reportId: base64url(crypto.getRandomValues(new Uint8Array(16))),
    batch,
    params,
    cells: cells.length,
    layoutHash: await sha256Hex(layout),
  };
  const recipientPublicKey = await suite().kem.deserializePublicKey(fromBase64url(helper.publicKey) as Uint8Array<ArrayBuffer>);
  const sealed = await suite().seal({ recipientPublicKey, info: INFO }, seed, reportAad(head) as Uint8Array<ArrayBuffer>);
  return {
    v: 1,
    ...head,
    layout: base64url(layout),
    leaderShare: base64url(new Uint8Array(leader.buffer)),
    helperShare: { keyId: helper.id, enc: base64url(new Uint8Array(sealed.enc)), ciphertext: base64url(new Uint8Array(sealed.ct)) },
  };
}

/** The layout's header: the batch and the parameters, nothing of the device. */
export function layoutMeta(batch: SecureBatch, params: SecureParams): Record<string, string> {
  return {
    model: batch.model,
    modelVersion: batch.version,
    segment: canonicalJson(batch.segment),
    windowStart: String(batch.windowStart),
    windowEnd: String(batch.windowEnd),
    privacy: JSON.stringify({
      mode: 'secure',
      mechanism: 'two-sided-geometric',
      unit: 'device-day',
      ...params,
      noiseScale: secureNoiseScale(params),
    }),
  };
}

/** A helper's key pair, derived from 32 secret bytes it keeps (so it survives restarts). */
export async function helperKeyPair(secret: Uint8Array): Promise<{ key: HelperKey; recipient: CryptoKeyPair }> {
  if (secret.byteLength !== 32) throw new SecureReportError('a helper key secret is 32 bytes');
  const recipient = await suite().kem.deriveKeyPair(secret as Uint8Array<ArrayBuffer>);
  const publicKey = new Uint8Array(await suite().kem.serializePublicKey(recipient.publicKey));
  const id = (await sha256Hex(publicKey)).slice(0, 16);
  return { key: { id, kem: KEM, kdf: KDF, aead: AEAD, publicKey: base64url(publicKey) }, recipient };
}

/** The helper's seed from a report, or a SecureReportError when it does not open. */
export async function openHelperShare(
  recipient: CryptoKeyPair,
  r: Pick<SecureReport, 'reportId' | 'batch' | 'params' | 'cells' | 'layoutHash' | 'helperShare'>,
): Promise<Uint8Array> {
  let seed: Uint8Array;
  try {
    const pt = await suite().open(
      { recipientKey: recipient, enc: fromBase64url(r.helperShare.enc) as Uint8Array<ArrayBuffer>, info: INFO },
      fromBase64url(r.helperShare.ciphertext) as Uint8Array<ArrayBuffer>,
      reportAad(r) as Uint8Array<ArrayBuffer>,
    );
    seed = new Uint8Array(pt);
  } catch {
    throw new SecureReportError("the helper's share does not open: sealed to another key, or for another report or batch");
  }
  if (seed.byteLength !== SEED_BYTES) throw new SecureReportError(`the helper's share is not a ${SEED_BYTES}-byte seed`);
  return seed;
}

const B64 = /^[A-Za-z0-9_-]*$/;

/** A report as the leader has it: checked, with its share and layout decoded. */
export type ReceivedReport = SecureReport & { leaderWords: BigUint64Array; layoutBytes: Uint8Array };
/** What the leader forwards to the helper: the report without the leader's share and the layout. */
export type HelperReport = Omit<SecureReport, 'layout' | 'leaderShare'>;

/**
 * A report as received, checked field by field; throws a SecureReportError naming the first
 * field that is wrong. The leader's share must hold exactly `cells` words: a truncated one is
 * refused, never padded.
 */
export function parseSecureReport(v: unknown): ReceivedReport {
  const head = parseReportHead(v);
  const r = v as Record<string, unknown>;
  const layout = b64Field(r.layout, 'layout', 64 * MAX_CELLS);
  const leaderShare = b64Field(r.leaderShare, 'leaderShare', 12 * MAX_CELLS);
  const leaderBytes = decodeField(leaderShare, 'leaderShare');
  if (leaderBytes.byteLength !== head.cells * 8)
    bad(`"leaderShare" holds ${leaderBytes.byteLength} bytes, not ${head.cells * 8} (8 per cell)`);
  return {
    ...head,
    layout,
    leaderShare,
    leaderWords: new BigUint64Array(leaderBytes.buffer, leaderBytes.byteOffset, head.cells),
    layoutBytes: decodeField(layout, 'layout'),
  };
}

/** The part of a report the helper receives, checked the same way. */
export function parseHelperReport(v: unknown): HelperReport {
  return parseReportHead(v);
}

const bad = (what: string): never => {
  throw new SecureReportError(`report: ${what}`);
};

const b64Field = (x: unknown, what: string, max: number) =>
  typeof x === 'string' && x.length <= max && B64.test(x) ? x : bad(`"${what}" must be base64url`);

function decodeField(s: string, what: string): Uint8Array {
  try {
    return fromBase64url(s);
  } catch {
    return bad(`"${what}" is not base64url`);
  }
}

function parseReportHead(v: unknown): HelperReport {
  const head = parseSecureBatch(v);
  const r = v as Record<string, unknown>;
  if (r.v !== 1) bad('"v" must be 1');
  const str = b64Field;
  const reportId = str(r.reportId, 'reportId', 64);
  if (decodeField(reportId, 'reportId').byteLength !== 16) bad('"reportId" must be 16 bytes');
  const h = (r.helperShare ?? {}) as Record<string, unknown>;
  const helperShare = {
    keyId: str(h.keyId, 'helperShare.keyId', 64),
    enc: str(h.enc, 'helperShare.enc', 512),
    ciphertext: str(h.ciphertext, 'helperShare.ciphertext', 512),
  };
  return { v: 1, reportId, ...head, helperShare };
}

/** What names a batch and its sum: in every report, and in the leader's request for the helper's sum. */
export type SecureBatchHead = Pick<SecureReport, 'batch' | 'params' | 'cells' | 'layoutHash'>;

/** The batch, noise parameters, cell count and layout hash of an object, checked field by field. */
export function parseSecureBatch(v: unknown): SecureBatchHead {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('must be a JSON object');
  const r = v as Record<string, unknown>;
  const b = (r.batch ?? {}) as Record<string, unknown>;
  const name = (x: unknown, what: string) =>
    typeof x === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(x) ? x : bad(`"batch.${what}" is not a valid name`);
  const ms = (x: unknown, what: string) =>
    Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : bad(`"batch.${what}" must be ms since the epoch`);
  const seg = b.segment ?? {};
  if (typeof seg !== 'object' || seg === null || Array.isArray(seg)) bad('"batch.segment" must be an object of strings');
  const segment: Record<string, string> = Object.create(null);
  const keys = Object.keys(seg as object).sort();
  if (keys.length > 16) bad('"batch.segment" has more than 16 keys');
  for (const k of keys) {
    const x = (seg as Record<string, unknown>)[k];
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(k) || typeof x !== 'string' || x.length > 128)
      bad(`"batch.segment" key "${k.slice(0, 64)}" or its value is invalid`);
    segment[k] = x as string;
  }
  const batch: SecureBatch = {
    model: name(b.model, 'model'),
    version: name(b.version, 'version'),
    segment,
    windowStart: ms(b.windowStart, 'windowStart'),
    windowEnd: ms(b.windowEnd, 'windowEnd'),
  };
  if (batch.windowEnd <= batch.windowStart) bad('"batch.windowEnd" must be after windowStart');
  const p = (r.params ?? {}) as Record<string, unknown>;
  const pos = (x: unknown, what: string) =>
    typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : bad(`"params.${what}" must be a positive number`);
  const params: SecureParams = {
    epsilon: pos(p.epsilon, 'epsilon'),
    maxRowsPerWindow: pos(p.maxRowsPerWindow, 'maxRowsPerWindow'),
    cellsPerEvent: pos(p.cellsPerEvent, 'cellsPerEvent'),
  };
  if (!Number.isInteger(params.maxRowsPerWindow) || !Number.isInteger(params.cellsPerEvent))
    bad('"params" maxRowsPerWindow and cellsPerEvent must be integers');
  const cells = r.cells;
  if (!Number.isInteger(cells) || (cells as number) < 1 || (cells as number) > MAX_CELLS)
    bad(`"cells" must be an integer in 1..${MAX_CELLS}`);
  const layoutHash =
    typeof r.layoutHash === 'string' && /^[0-9a-f]{64}$/.test(r.layoutHash) ? r.layoutHash : bad('"layoutHash" must be 64 hex digits');
  return { batch, params, cells: cells as number, layoutHash };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('');
}

function canonicalJson(o: Record<string, string>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    ),
  );
}

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(s: string): Uint8Array {
  if (!B64.test(s) || s.length % 4 === 1) throw new SecureReportError('not base64url');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
