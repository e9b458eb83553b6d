// Resolves the API key of a request to a project and a key kind. The key travels as
// `Authorization: Bearer <key>`, or for ingest only as `?key=<key>` (a page may not be able to
// set headers, e.g. with navigator.sendBeacon). Lookups are cached briefly: ingest is hot.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type KeyKind, type Principal } from '../keys.ts';
import { RequestError } from '../errors.ts';
import type { Queryable } from '../storage/db.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export class KeyCache {
  private entries = new Map<string, { at: number; principal: Principal | null }>();
  constructor(
    private db: Queryable,
    private ttlMs: number,
  ) {}

  async resolve(key: string): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.principal;
    const principal = await authenticate(this.db, key);
    if (this.ttlMs > 0) {
      if (this.entries.size > 10_000) this.entries.clear(); // bounded: a flood of bad keys can't grow it
      this.entries.set(key, { at: now, principal });
    }
    return principal;
  }
}

function keyOf(req: FastifyRequest, allowQuery: boolean): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  if (allowQuery) {
    const q = (req.query as Record<string, unknown> | undefined)?.key;
    if (typeof q === 'string') return q;
  }
  return undefined;
}

/** A preHandler that admits only keys of the given kinds. */
export function requireKey(cache: KeyCache, kinds: KeyKind[]) {
  const allowQuery = kinds.includes('ingest');
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const key = keyOf(req, allowQuery);
    if (!key) throw new RequestError(401, 'auth', 'missing API key (Authorization: Bearer <key>)');
    const principal = await cache.resolve(key);
    if (!principal) throw new RequestError(401, 'auth', 'invalid or revoked API key');
    if (!kinds.includes(principal.kind)) {
      throw new RequestError(403, 'auth', `a ${principal.kind} key cannot use this route`);
    }
    req.principal = principal;
  };
}
