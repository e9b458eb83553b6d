// The helper's HPKE key pair: derived from 32 secret bytes drawn on its first start and kept in
// its database, so reports sealed before a restart still open after it. The public half is served
// at GET /v1/hpke-config; the secret never leaves the helper's database.
import { helperKeyPair, type HelperKey } from 'edgewatch/secure';
import type { Queryable } from '../storage/db.ts';

export interface HelperKeys {
  key: HelperKey;
  recipient: CryptoKeyPair;
}

export async function loadHelperKey(db: Queryable, now = Date.now()): Promise<HelperKeys> {
  const fresh = crypto.getRandomValues(new Uint8Array(32));
  const candidate = await helperKeyPair(fresh);
  // One key per helper: the first start's insert wins, every later start reads it.
  await db.query('insert into helper_keys (id, secret, created_at) select $1, $2, $3 where not exists (select 1 from helper_keys)', [
    candidate.key.id,
    fresh,
    now,
  ]);
  const [row] = await db.query<{ secret: Uint8Array }>('select secret from helper_keys order by created_at limit 1');
  return helperKeyPair(new Uint8Array(row.secret));
}
