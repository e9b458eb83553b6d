// The helper's public key as the secure mode passes it around (its GET /v1/hpke-config, a
// monitor's privacy.helperKey), and its check. Kept apart from the sealing code so that a page
// can check its options without loading the HPKE library, which only the worker needs.
import { CoreError } from './errors.ts';

export class HelperKeyError extends CoreError {
  override name = 'HelperKeyError';
}

export const KEM = 'DHKEM(P-256, HKDF-SHA256)';
export const KDF = 'HKDF-SHA256';
export const AEAD = 'AES-128-GCM';

/** A helper's public key as it serves it (GET /v1/hpke-config) and devices are configured with. */
export interface HelperKey {
  id: string;
  kem: typeof KEM;
  kdf: typeof KDF;
  aead: typeof AEAD;
  publicKey: string;
}

export function checkHelperKey(k: HelperKey): void {
  if (!k || typeof k.publicKey !== 'string' || typeof k.id !== 'string')
    throw new HelperKeyError("the helper's key is { id, kem, kdf, aead, publicKey } from its GET /v1/hpke-config");
  if (k.kem !== KEM || k.kdf !== KDF || k.aead !== AEAD) throw new HelperKeyError(`the helper's key must be ${KEM}, ${KDF}, ${AEAD}`);
}
