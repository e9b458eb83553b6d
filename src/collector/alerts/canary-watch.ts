// Canary watches: a model version compared with another over a rolling window every alert
// round (read/canary.ts), its verdict sent to a webhook when it changes — to the rollout that
// would rather be told than poll. Under a transaction-level advisory lock, like alert rounds,
// so with several collectors one evaluates and the delivery is queued once.
import type { CollectorOptions } from '../config.ts';
import type { Core } from '../core.ts';
import { spanMs } from '../eval-windows.ts';
import { compareVersions, type Verdict } from '../read/canary.ts';
import type { Db } from '../storage/db.ts';

const LOCK_ID = 7_406_512_003;

export interface VerdictChange {
  model: string;
  version: string;
  against: string;
  from: Verdict | null;
  to: Verdict;
}

export async function evaluateCanaries(db: Db, core: Core, options: CollectorOptions, now: number): Promise<VerdictChange[] | null> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_ID]);
    if (!lock.ok) return null;
    const watches = await tx.query<{
      project_id: number;
      project: string;
      model: string;
      version: string;
      against: string;
      window_name: string;
      webhook_url: string;
      verdict: Verdict | null;
    }>(
      'select w.*, p.name as project from canary_watches w join projects p on p.id = w.project_id order by w.project_id, w.model, w.version',
    );
    const changes: VerdictChange[] = [];
    for (const w of watches) {
      const span = spanMs(w.window_name)!;
      const report = await compareVersions(tx, core, options, {
        projectId: w.project_id,
        model: w.model,
        canary: w.version,
        stable: w.against,
        from: now - span,
        to: now,
      });
      if (report.verdict === w.verdict) continue;
      await tx.query('update canary_watches set verdict = $4, changed_at = $5 where project_id = $1 and model = $2 and version = $3', [
        w.project_id,
        w.model,
        w.version,
        report.verdict,
        now,
      ]);
      changes.push({ model: w.model, version: w.version, against: w.against, from: w.verdict, to: report.verdict });
      const body = {
        event: 'canary.verdict',
        at: now,
        project: w.project,
        model: w.model,
        version: w.version,
        against: w.against,
        window: { name: w.window_name, from: report.from, to: report.to },
        previous: w.verdict,
        verdict: report.verdict,
        reasons: report.reasons,
      };
      await tx.query("insert into deliveries (event, url, body, next_at) values ('canary.verdict', $1, $2, $3)", [
        w.webhook_url,
        JSON.stringify(body),
        now,
      ]);
    }
    return changes;
  });
}
