// Calls to a running collector's HTTP API for the commands that talk to one: a refused call
// or an unreachable collector becomes one clear line, never a stack trace.
import { UserError } from './errors.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8787';

/** The collector's base URL and key from the flags, else EDGEWATCH_URL / EDGEWATCH_KEY. */
export function target(values: Record<string, unknown>): { url: string; key: string | undefined } {
  const url = ((values.url as string | undefined) ?? process.env.EDGEWATCH_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  return { url, key: (values.key as string | undefined) ?? process.env.EDGEWATCH_KEY };
}

/** Sends a request and returns the JSON answer (or the text, with `text`). */
export async function call(url: string, init: RequestInit, text = false): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new UserError(
      `cannot reach the collector at ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (err as Error).message})`,
    );
  }
  const raw = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = (body as { error?: string } | undefined)?.error ?? (raw.split('\n')[0].slice(0, 200) || res.statusText);
    throw new UserError(`the collector answered ${res.status}: ${error}`);
  }
  if (text) return raw;
  if (body === undefined) throw new UserError(`the collector answered ${res.status} with something that is not JSON`);
  return body;
}
