// One evaluation of every rule against a snapshot: the alert lifecycle.
//   condition holds:  no open alert → pending (streak 1); streak reaches `for` → firing, and the
//                     alert joins its model version's incident (incidents.ts), which notifies.
//   condition fails:  pending or firing → resolved; an incident left without active signals
//                     resolves and notifies.
//   no data:          the window holds no upload: the rule's noData policy — resolve the open
//                     alerts, keep them, or put them (or, with none open, the version) into
//                     'no_data', which joins the incident like firing does.
//   fewer than k:     (or no baseline) the alert is left as it is.
// State changes and queued deliveries commit together. Under a transaction-level advisory lock:
// with several collectors, one evaluates and the others skip.
import type { Db, Queryable } from '../storage/db.ts';
import type { VersionState } from '../read/snapshot.ts';
import { joinIncident, reconcileIncidents } from './incidents.ts';
import { listRules, type StoredRule } from './rules.ts';
import { baseEvidence, inScope, observe, seriesKey } from './series.ts';
import { describeSignal, signalOf } from './signals.ts';

const LOCK_ID = 7_406_512_002;

export interface Transition {
  rule: string;
  series: string;
  to: 'pending' | 'firing' | 'no_data' | 'resolved';
}

type OpenAlert = {
  id: number;
  series: string;
  state: string;
  streak: number;
  evidence: Record<string, unknown>;
};

const holds = (v: number, op: StoredRule['op'], t: number) => (op === '>' ? v > t : op === '>=' ? v >= t : op === '<' ? v < t : v <= t);

export async function evaluateAlerts(db: Db, states: VersionState[], now: number, publicUrl?: string): Promise<Transition[] | null> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_ID]);
    if (!lock.ok) return null;
    const transitions: Transition[] = [];
    for (const rule of await listRules(tx)) {
      const open = new Map(
        (
          await tx.query<OpenAlert>("select id, series, state, streak, evidence from alerts where rule_id = $1 and state <> 'resolved'", [
            rule.id,
          ])
        ).map((a) => [a.series, a]),
      );
      const seen = new Set<string>();
      for (const o of observe(rule, states, publicUrl)) {
        seen.add(o.series);
        const a = open.get(o.series);
        const evidence = {
          ...o.evidence,
          rule: rule.name,
          op: rule.op,
          threshold: rule.threshold,
          severity: rule.severity,
          owner: rule.owner,
        };
        if (holds(o.value, rule.op, rule.threshold)) {
          const streak = (a?.streak ?? 0) + 1;
          const fire = streak >= rule.for && a?.state !== 'firing';
          const state = a?.state === 'firing' || fire ? 'firing' : 'pending';
          let id = a?.id;
          if (a) {
            await tx.query(
              `update alerts set streak = $2, state = $3, value = $4, evidence = $5, updated_at = $6,
                 fired_at = case when $7 then $6 else fired_at end where id = $1`,
              [a.id, streak, state, o.value, JSON.stringify(evidence), now, fire],
            );
          } else {
            id = (
              await tx.query<{ id: number }>(
                `insert into alerts (rule_id, series, state, streak, value, evidence, started_at, fired_at, updated_at)
               values ($1, $2, $3, 1, $4, $5, $6, $7, $6) returning id`,
                [rule.id, o.series, state, o.value, JSON.stringify(evidence), now, fire ? now : null],
              )
            )[0].id;
          }
          if (!a || fire) transitions.push({ rule: rule.name, series: o.series, to: state });
          if (fire) await join(tx, rule, id!, evidence, 'firing', o.value, now);
        } else if (a) {
          await tx.query("update alerts set state = 'resolved', resolved_at = $2, updated_at = $2, value = $3 where id = $1", [
            a.id,
            now,
            o.value,
          ]);
          transitions.push({ rule: rule.name, series: o.series, to: 'resolved' });
        }
      }
      await noData(tx, rule, states, open, seen, now, publicUrl, transitions);
    }
    await reconcileIncidents(tx, now, publicUrl);
    return transitions;
  });
}

/**
 * The rule's noData policy on the states whose window holds no upload, and on open alerts of a
 * version the snapshot no longer lists (silent for 30 days). Freshness is observed through
 * silence — it is the measure of it — so freshness rules are never in no data.
 */
async function noData(
  tx: Queryable,
  rule: StoredRule,
  states: VersionState[],
  open: Map<string, OpenAlert>,
  seen: Set<string>,
  now: number,
  publicUrl: string | undefined,
  transitions: Transition[],
) {
  if (rule.metric === 'freshness_seconds' || rule.noData === 'keep') return;
  const scoped = new Map(states.filter((s) => inScope(rule, s)).map((s) => [seriesKey(s), s]));
  const silent = new Map([...scoped].filter(([, s]) => s.noData));
  const listed = new Set(states.filter((s) => s.projectId === rule.projectId).map((s) => `${s.model}|${s.version}`));
  const touched = new Set<string>();
  for (const a of open.values()) {
    if (seen.has(a.series)) continue;
    const e = a.evidence as { model: string; version: string; segment: Record<string, string> | null; window: { name: string } };
    const key = seriesKey({ model: e.model, version: e.version, segment: e.segment, window: e.window.name });
    if (a.series === key && a.state === 'no_data' && scoped.get(key)?.visible) {
      // A version-level no-data alert whose uploads came back: its rule's own series take over.
      await tx.query("update alerts set state = 'resolved', resolved_at = $2, updated_at = $2 where id = $1", [a.id, now]);
      transitions.push({ rule: rule.name, series: a.series, to: 'resolved' });
      continue;
    }
    if (!silent.has(key) && listed.has(`${e.model}|${e.version}`)) continue; // fewer than k: as it is
    touched.add(key);
    if (rule.noData === 'resolve') {
      await tx.query("update alerts set state = 'resolved', resolved_at = $2, updated_at = $2 where id = $1", [a.id, now]);
      transitions.push({ rule: rule.name, series: a.series, to: 'resolved' });
    } else if (a.state !== 'no_data') {
      await tx.query("update alerts set state = 'no_data', value = null, updated_at = $2 where id = $1", [a.id, now]);
      transitions.push({ rule: rule.name, series: a.series, to: 'no_data' });
      await join(tx, rule, a.id, { ...a.evidence, statistic: 'no_data' }, 'no_data', null, now);
    }
  }
  if (rule.noData !== 'alert') return;
  // A silent state with no open alert of this rule: the version (or segment) itself has no data.
  for (const [key, s] of silent) {
    if (touched.has(key) || open.has(key)) continue;
    const evidence = {
      ...baseEvidence(s, publicUrl),
      column: null,
      statistic: 'no_data',
      value: null,
      rule: rule.name,
      severity: rule.severity,
      owner: rule.owner,
    };
    const [{ id }] = await tx.query<{ id: number }>(
      `insert into alerts (rule_id, series, state, streak, value, evidence, started_at, fired_at, updated_at)
       values ($1, $2, 'no_data', 0, null, $3, $4, $4, $4) returning id`,
      [rule.id, key, JSON.stringify(evidence), now],
    );
    transitions.push({ rule: rule.name, series: key, to: 'no_data' });
    await join(tx, rule, id, evidence, 'no_data', null, now);
  }
}

async function join(
  tx: Queryable,
  rule: StoredRule,
  alertId: number,
  evidence: Record<string, unknown>,
  state: string,
  value: number | null,
  now: number,
) {
  const line = describeSignal(
    signalOf({
      id: alertId,
      name: rule.name,
      severity: rule.severity,
      owner: rule.owner,
      state,
      value,
      fired_at: now,
      resolved_at: null,
      evidence,
    }),
  );
  await joinIncident(
    tx,
    { projectId: rule.projectId, model: evidence.model as string, version: evidence.version as string, severity: rule.severity },
    alertId,
    line,
    now,
  );
}
