// Requests between the two aggregators: the leader calls its helper with the shared peer token;
// the helper admits only requests that carry it. A helper that cannot be reached is the leader's
// 503 (the device keeps its report and tries again), never a partial acceptance.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { RequestError } from '../errors.ts';

/** A preHandler admitting only the other aggregator. */
export function requirePeer(token: string) {
  const want = Buffer.from(`Bearer ${token}`);
  return async (req: FastifyRequest) => {
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length !== want.length || !timingSafeEqual(got, want))
      throw new RequestError(401, 'auth', 'this route is for the aggregator pair (peer token)');
  };
}

export interface PeerAnswer<T> {
  status: number;
  body: T | { error?: string; reason?: string };
}

/** A report's forwarding is one small request; a batch's sum grows with its reports (10^5: tens of seconds). */
export const REPORT_TIMEOUT_MS = 30_000;
export const AGGREGATE_TIMEOUT_MS = 600_000;

/** POSTs JSON to the helper; throws a 503 RequestError when it cannot be reached. */
export async function callHelper<T>(
  helperUrl: string,
  token: string,
  path: string,
  body: unknown,
  timeoutMs = REPORT_TIMEOUT_MS,
): Promise<PeerAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(new URL(path, helperUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new RequestError(503, 'helper', `the helper cannot be reached (${(err as Error).message}); try again later`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed as PeerAnswer<T>['body'] };
}

/** The helper's refusal as the leader's answer: its status (a failure of its own is a 503), reason and message. */
export function helperRefusal(a: PeerAnswer<unknown>): RequestError {
  const b = a.body as { error?: string; reason?: string };
  if (a.status >= 500) return new RequestError(503, 'helper', `helper: ${b.error ?? `HTTP ${a.status}`}; try again later`);
  return new RequestError(a.status, b.reason ?? 'helper', `helper: ${b.error ?? `HTTP ${a.status}`}`);
}
