// Webhook delivery from the deliveries outbox. A batch is claimed by pushing its next attempt
// time forward (a lease), so concurrent collectors never send the same delivery at once, and no
// transaction stays open during HTTP calls. Failures retry with exponential backoff
// (1 s, 2 s, 4 s … capped at 10 min) up to `maxAttempts`, then the delivery is marked failed.
import type { Queryable } from '../storage/db.ts';

export interface DeliveryOptions {
  maxAttempts?: number;
  timeoutMs?: number;
}

export async function deliverDue(db: Queryable, now = Date.now(), opts: DeliveryOptions = {}): Promise<{ sent: number; failed: number }> {
  const maxAttempts = opts.maxAttempts ?? 8;
  const lease = now + 60_000;
  const due = await db.query<{ id: number; url: string; body: unknown; attempts: number }>(
    `update deliveries set next_at = $2 where id in (
       select id from deliveries where delivered_at is null and failed_at is null and next_at <= $1
       order by id limit 50 for update skip locked)
     returning id, url, body, attempts`,
    [now, lease],
  );
  let sent = 0;
  let failed = 0;
  for (const d of due.sort((a, b) => a.id - b.id)) {
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(d.body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
      });
      if (!res.ok) error = `HTTP ${res.status}`;
      await res.body?.cancel();
    } catch (err) {
      error = String((err as Error).message ?? err).slice(0, 300);
    }
    const attempts = d.attempts + 1;
    if (!error) {
      await db.query('update deliveries set delivered_at = $2, attempts = $3, last_error = null where id = $1', [d.id, now, attempts]);
      sent++;
    } else if (attempts >= maxAttempts) {
      await db.query('update deliveries set failed_at = $2, attempts = $3, last_error = $4 where id = $1', [d.id, now, attempts, error]);
      failed++;
    } else {
      const backoff = Math.min(1000 * 2 ** (attempts - 1), 600_000);
      await db.query('update deliveries set next_at = $2, attempts = $3, last_error = $4 where id = $1', [
        d.id,
        now + backoff,
        attempts,
        error,
      ]);
    }
  }
  return { sent, failed };
}
