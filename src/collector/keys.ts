// Projects and their API keys. A key is shown once, at creation; the database keeps only its
// SHA-256 (keys are 192 random bits, so a fast hash is enough: there is nothing to brute-force).
//   ingest: write-only, meant to ship inside web pages; may also read the private-mode grid.
//   read:   the JSON read API and the dashboard.
//   admin:  read, plus baselines and alert rules.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './storage/db.ts';

export type KeyKind = 'ingest' | 'read' | 'admin';
export const KEY_KINDS: readonly KeyKind[] = ['ingest', 'read', 'admin'];
const PREFIX: Record<KeyKind, string> = { ingest: 'ewi_', read: 'ewr_', admin: 'ewa_' };

export interface KeyInfo {
  id: number;
  project: string;
  kind: KeyKind;
  /** The first characters of the key, enough to recognise it in a listing. */
  prefix: string;
  label: string;
  /** Origins allowed to use an ingest key from a browser; empty: any origin. */
  origins: string[];
  createdAt: number;
  revokedAt: number | null;
}

/** The identity a valid key grants. */
export interface Principal {
  keyId: number;
  projectId: number;
  project: string;
  kind: KeyKind;
  origins: string[];
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function ensureProject(db: Queryable, name: string): Promise<number> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new Error(`invalid project name "${name}": letters, digits, . _ - (max 64)`);
  }
  await db.query('insert into projects (name, created_at) values ($1, $2) on conflict (name) do nothing', [name, Date.now()]);
  const rows = await db.query<{ id: number }>('select id from projects where name = $1', [name]);
  return rows[0].id;
}

export async function createKey(
  db: Queryable,
  opts: { project: string; kind: KeyKind; label?: string; origins?: string[] },
): Promise<{ key: string; info: KeyInfo }> {
  if (!KEY_KINDS.includes(opts.kind)) throw new Error(`invalid key kind "${opts.kind}": ingest, read or admin`);
  for (const o of opts.origins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new Error(`invalid origin "${o}": scheme://host[:port], no path`);
  }
  const projectId = await ensureProject(db, opts.project);
  const key = PREFIX[opts.kind] + randomBytes(24).toString('base64url');
  const rows = await db.query<{ id: number }>(
    `insert into api_keys (project_id, kind, prefix, hash, origins, label, created_at)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [projectId, opts.kind, key.slice(0, 10), hashKey(key), JSON.stringify(opts.origins ?? []), opts.label ?? '', Date.now()],
  );
  const [info] = await listKeys(db, { id: rows[0].id });
  return { key, info };
}

export async function listKeys(db: Queryable, filter: { project?: string; id?: number } = {}): Promise<KeyInfo[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select k.id, p.name as project, k.kind, k.prefix, k.label, k.origins, k.created_at, k.revoked_at
     from api_keys k join projects p on p.id = k.project_id
     where ($1::text is null or p.name = $1) and ($2::bigint is null or k.id = $2)
     order by k.id`,
    [filter.project ?? null, filter.id ?? null],
  );
  return rows.map((r) => ({
    id: r.id as number,
    project: r.project as string,
    kind: r.kind as KeyKind,
    prefix: r.prefix as string,
    label: r.label as string,
    origins: r.origins as string[],
    createdAt: r.created_at as number,
    revokedAt: (r.revoked_at as number | null) ?? null,
  }));
}

/** Revokes by id or by the key's prefix; returns how many keys were revoked. */
export async function revokeKey(db: Queryable, idOrPrefix: string): Promise<number> {
  const byId = /^\d+$/.test(idOrPrefix);
  const rows = await db.query(
    `update api_keys set revoked_at = $2
     where revoked_at is null and ${byId ? 'id = $1::bigint' : 'prefix = $1'} returning id`,
    [idOrPrefix, Date.now()],
  );
  return rows.length;
}

export async function authenticate(db: Queryable, key: string): Promise<Principal | null> {
  const rows = await db.query<Record<string, unknown>>(
    `select k.id, k.project_id, p.name, k.kind, k.origins
     from api_keys k join projects p on p.id = k.project_id
     where k.hash = $1 and k.revoked_at is null`,
    [hashKey(key)],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    keyId: r.id as number,
    projectId: r.project_id as number,
    project: r.name as string,
    kind: r.kind as KeyKind,
    origins: r.origins as string[],
  };
}
