// One evaluation of every rule against a snapshot: the alert lifecycle.
//   condition holds:  no open alert → pending (streak 1); streak reaches `for` → firing, and a
//                     'firing' delivery is queued. A firing alert is not notified again (dedup).
//   condition fails:  pending → resolved silently; firing → resolved, 'resolved' queued.
//   not observed:     (below k devices, no baseline) the alert is left as it is.
// State changes and queued deliveries commit together. Under a transaction-level advisory lock:
// with several collectors, one evaluates and the others skip.
import type { Db, Queryable } from '../storage/db.ts';
import type { VersionState } from '../read/snapshot.ts';
import { listRules, type StoredRule } from './rules.ts';
import { observe } from './series.ts';

const LOCK_ID = 7_406_512_002;

export interface Transition {
  rule: string;
  series: string;
  to: 'pending' | 'firing' | 'resolved';
}

const holds = (v: number, op: StoredRule['op'], t: number) =>
  op === '>' ? v > t : op === '>=' ? v >= t : op === '<' ? v < t : v <= t;

export async function evaluateAlerts(db: Db, states: VersionState[], now: number, publicUrl?: string): Promise<Transition[] | null> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_ID]);
    if (!lock.ok) return null;
    const transitions: Transition[] = [];
    for (const rule of await listRules(tx)) {
      const open = new Map(
        (await tx.query<{ id: number; series: string; state: string; streak: number }>(
          "select id, series, state, streak from alerts where rule_id = $1 and state <> 'resolved'",
          [rule.id],
        )).map((a) => [a.series, a]),
      );
      for (const o of observe(rule, states, publicUrl)) {
        const a = open.get(o.series);
        const evidence = JSON.stringify({ ...o.evidence, rule: rule.name, op: rule.op, threshold: rule.threshold, severity: rule.severity, owner: rule.owner });
        if (holds(o.value, rule.op, rule.threshold)) {
          const streak = (a?.streak ?? 0) + 1;
          const fire = streak >= rule.for && a?.state !== 'firing';
          const state = a?.state === 'firing' || fire ? 'firing' : 'pending';
          let id = a?.id;
          if (a) {
            await tx.query(
              `update alerts set streak = $2, state = $3, value = $4, evidence = $5, updated_at = $6,
                 fired_at = case when $7 then $6 else fired_at end where id = $1`,
              [a.id, streak, state, o.value, evidence, now, fire],
            );
          } else {
            id = (await tx.query<{ id: number }>(
              `insert into alerts (rule_id, series, state, streak, value, evidence, started_at, fired_at, updated_at)
               values ($1, $2, $3, 1, $4, $5, $6, $7, $6) returning id`,
              [rule.id, o.series, state, o.value, evidence, now, fire ? now : null],
            ))[0].id;
          }
          if (!a || fire) transitions.push({ rule: rule.name, series: o.series, to: state });
          if (fire) await enqueue(tx, rule, id!, 'firing', evidence, now);
        } else if (a) {
          await tx.query("update alerts set state = 'resolved', resolved_at = $2, updated_at = $2, value = $3 where id = $1", [a.id, now, o.value]);
          transitions.push({ rule: rule.name, series: o.series, to: 'resolved' });
          if (a.state === 'firing') await enqueue(tx, rule, a.id, 'resolved', evidence, now);
        }
      }
    }
    return transitions;
  });
}

async function enqueue(tx: Queryable, rule: StoredRule, alertId: number, event: 'firing' | 'resolved', evidence: string, now: number) {
  if (!rule.webhookUrl) return;
  const e = JSON.parse(evidence) as Record<string, unknown>;
  const body =
    rule.webhookFormat === 'slack'
      ? { text: slackText(event, e) }
      : { event, alert: { id: alertId, rule: rule.name, severity: rule.severity, owner: rule.owner, at: now }, evidence: e };
  await tx.query('insert into deliveries (alert_id, event, url, body, next_at) values ($1, $2, $3, $4, $5)', [
    alertId,
    event,
    rule.webhookUrl,
    JSON.stringify(body),
    now,
  ]);
}

function slackText(event: string, e: Record<string, unknown>): string {
  const where = `${e.model}@${e.version}${e.segment ? ` segment ${JSON.stringify(e.segment)}` : ''}${e.column ? ` column ${e.column}` : e.output ? ` output ${e.output}` : ''}`;
  // Freshness is the same in every window; anything else names the window it was measured over.
  const window = (e.window as { name?: string } | undefined)?.name;
  const over = window && e.statistic !== 'freshness_seconds' ? ` over ${window}` : '';
  const head = event === 'firing' ? `:rotating_light: [${e.severity}] ${e.rule} firing` : `:white_check_mark: ${e.rule} resolved`;
  const link = e.link ? ` <${e.link}|open>` : '';
  return `${head}: ${where}${over}: ${e.statistic} = ${e.value} (${e.op} ${e.threshold}), owner ${e.owner}${link}`;
}
