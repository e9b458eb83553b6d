// Schema migrations, applied in order at start. Each is applied once, inside a transaction that
// holds an advisory lock, so collector processes starting together against one PostgreSQL
// don't race. Append new migrations; never edit an applied one.
//
// Times are milliseconds since the epoch in BIGINT columns: the payload header speaks ms, and
// both adapters return them as plain numbers.
import type { Db } from './db.ts';

export const MIGRATIONS: string[] = [
  // 1: tenancy, models, raw uploads, baselines
  `
  create table projects (
    id bigserial primary key,
    name text not null unique,
    created_at bigint not null
  );
  create table api_keys (
    id bigserial primary key,
    project_id bigint not null references projects(id),
    kind text not null check (kind in ('ingest', 'read', 'admin')),
    prefix text not null,
    hash text not null unique,
    origins jsonb not null default '[]',
    label text not null default '',
    created_at bigint not null,
    revoked_at bigint
  );
  create table models (
    project_id bigint not null references projects(id),
    model text not null,
    version text not null,
    columns jsonb not null,
    created_at bigint not null,
    primary key (project_id, model, version)
  );
  create table uploads (
    id bigserial primary key,
    project_id bigint not null references projects(id),
    upload_id text not null,
    model text not null,
    version text not null,
    segment jsonb not null,
    window_start bigint not null,
    window_end bigint not null,
    device_id text not null,
    rows bigint not null,
    payload bytea not null,
    received_at bigint not null,
    unique (project_id, upload_id)
  );
  create index uploads_by_window on uploads (project_id, model, version, window_start);
  create table baselines (
    project_id bigint not null references projects(id),
    model text not null,
    version text not null,
    payload bytea not null,
    created_at bigint not null,
    primary key (project_id, model, version)
  );
  `,
  // 2: alert rules, alerts (one open alert per rule and series), webhook deliveries (an outbox:
  // retried until delivered, across restarts and processes)
  `
  create table alert_rules (
    id bigserial primary key,
    project_id bigint not null references projects(id),
    name text not null,
    metric text not null,
    model text,
    version text,
    column_name text,
    op text not null check (op in ('>', '>=', '<', '<=')),
    threshold double precision not null,
    for_windows int not null check (for_windows >= 1),
    severity text not null check (severity in ('page', 'ticket')),
    owner text not null,
    webhook_url text,
    webhook_format text not null check (webhook_format in ('json', 'slack')),
    created_at bigint not null,
    unique (project_id, name)
  );
  create table alerts (
    id bigserial primary key,
    rule_id bigint not null references alert_rules(id) on delete cascade,
    series text not null,
    state text not null check (state in ('pending', 'firing', 'resolved')),
    streak int not null,
    value double precision,
    evidence jsonb not null,
    started_at bigint not null,
    fired_at bigint,
    resolved_at bigint,
    updated_at bigint not null
  );
  create unique index alerts_open on alerts (rule_id, series) where state <> 'resolved';
  create table deliveries (
    id bigserial primary key,
    alert_id bigint not null references alerts(id) on delete cascade,
    event text not null check (event in ('firing', 'resolved')),
    url text not null,
    body jsonb not null,
    attempts int not null default 0,
    next_at bigint not null,
    delivered_at bigint,
    failed_at bigint,
    last_error text
  );
  create index deliveries_due on deliveries (next_at) where delivered_at is null and failed_at is null;
  `,
  // 3: hourly rollups: uploads of one model version, segment and hour merged by the core, with
  // the distinct devices behind them (k-anonymity across any range is a union of these sets)
  `
  alter table uploads add column rolled boolean not null default false;
  create index uploads_unrolled on uploads (window_start) where not rolled;
  create table rollups (
    id bigserial primary key,
    project_id bigint not null references projects(id),
    model text not null,
    version text not null,
    segment jsonb not null,
    hour bigint not null,
    payload bytea not null,
    devices text[] not null,
    uploads int not null,
    rows bigint not null
  );
  create index rollups_by_hour on rollups (project_id, model, version, hour);
  `,
  // 4: the noise scale of private-mode uploads, so noisy aggregates can carry their error bars
  // (rollups keep how many uploads had each scale)
  `
  alter table uploads add column noise_scale double precision;
  alter table rollups add column noise jsonb not null default '{}';
  `,
  // 5: freshness and devices per model version without scanning every upload ever stored
  `
  create index uploads_by_received on uploads (project_id, model, version, received_at);
  `,
  // 6: daily rollups folded from hourly ones (devices kept as a set, like hourly), so hourly rows
  // can be pruned; an hourly rollup marked rolled is frozen into its day
  `
  alter table rollups add column rolled boolean not null default false;
  create index rollups_unrolled on rollups (hour) where not rolled;
  create table daily_rollups (
    id bigserial primary key,
    project_id bigint not null references projects(id),
    model text not null,
    version text not null,
    segment jsonb not null,
    day bigint not null,
    payload bytea not null,
    devices text[] not null,
    uploads int not null,
    rows bigint not null,
    noise jsonb not null default '{}'
  );
  create index daily_rollups_by_day on daily_rollups (project_id, model, version, day);
  `,
  // 7: when the newest upload behind a rollup arrived, so freshness survives pruning raw rows
  `
  alter table rollups add column received bigint not null default 0;
  alter table daily_rollups add column received bigint not null default 0;
  `,
  // 8: alert rules evaluated per segment (one series per segment with k devices) instead of on
  // the whole model version
  `
  alter table alert_rules add column by_segment boolean not null default false;
  `,
  // 9: the rolling window a rule observes (one of --eval-windows; rules so far observed the 1 h
  // default), and the window at the end of every alert's series key, as new alerts have it
  `
  alter table alert_rules add column eval_window text not null default '1h';
  update alerts set series = series || '|1h';
  `,
  // 10: raw payloads stored out of line without compression. pglz squeezed a typical upload
  // from 4.4 to 3.0 kB at about a quarter of PGlite's time per upload, the largest single cost
  // of storing one; raw rows live only until rolled up and pruned, rollups stay compressed
  `
  alter table uploads alter column payload set storage external;
  `,
  // 11: stored pieces (raw uploads, hourly or daily rollups) that could not be read back, moved
  // aside by the rollup round so they stop nobody else (see read/quarantine.ts); kept for
  // inspection, never read
  `
  create table quarantine (
    id bigserial primary key,
    source text not null,
    source_id bigint not null,
    project_id bigint not null,
    model text not null,
    version text not null,
    segment jsonb not null,
    period bigint not null,
    reason text not null,
    payload bytea not null,
    quarantined_at bigint not null
  );
  `,
  // 12: a version's columns are provisional (first upload's, not enforced) until a baseline sets
  // them, so an ingest key cannot register a schema that locks real uploads out
  `
  alter table models add column provisional boolean not null default true;
  update models m set provisional = false
    where exists (select 1 from baselines b where b.project_id = m.project_id and b.model = m.model and b.version = m.version);
  `,
  // 13: on-call workflow. A rule says what its series do when uploads stop (no_data: resolve,
  // keep, or alert with the 'no_data' state); firing alerts of one model version group into an
  // incident (acknowledged, silenced or snoozed until an expiry, with a timeline for the
  // postmortem); webhooks are sent per incident, so deliveries may name an incident instead of
  // an alert, with incident events
  `
  alter table alert_rules add column no_data text not null default 'resolve' check (no_data in ('resolve', 'keep', 'alert'));
  alter table alerts drop constraint alerts_state_check;
  alter table alerts add constraint alerts_state_check check (state in ('pending', 'firing', 'no_data', 'resolved'));
  create table incidents (
    id bigserial primary key,
    project_id bigint not null references projects(id),
    model text not null,
    version text not null,
    state text not null check (state in ('open', 'acknowledged', 'resolved')),
    severity text not null check (severity in ('page', 'ticket')),
    opened_at bigint not null,
    updated_at bigint not null,
    acknowledged_at bigint,
    acknowledged_by text,
    ack_until bigint,
    silenced_until bigint,
    snoozed_until bigint,
    resolved_at bigint,
    notified_severity text,
    decision text
  );
  create index incidents_active on incidents (project_id, model, version) where state <> 'resolved';
  create table incident_events (
    id bigserial primary key,
    incident_id bigint not null references incidents(id) on delete cascade,
    at bigint not null,
    kind text not null,
    actor text,
    note text
  );
  create index incident_events_by_incident on incident_events (incident_id, id);
  alter table alerts add column incident_id bigint references incidents(id) on delete set null;
  alter table deliveries alter column alert_id drop not null;
  alter table deliveries add column incident_id bigint references incidents(id) on delete cascade;
  alter table deliveries drop constraint deliveries_event_check;
  `,
  // 14: per model version, who owns it and what it is (criticality, training data snapshot,
  // feature schema version, the version to roll back to), and canary watches: a version
  // compared with another every alert round, its verdict sent to a webhook when it changes
  `
  create table version_metadata (
    project_id bigint not null references projects(id),
    model text not null,
    version text not null,
    owner text,
    criticality text check (criticality in ('low', 'medium', 'high', 'critical')),
    training_snapshot text,
    schema_version text,
    rollback_target text,
    updated_at bigint not null,
    primary key (project_id, model, version)
  );
  create table canary_watches (
    project_id bigint not null references projects(id),
    model text not null,
    version text not null,
    against text not null,
    window_name text not null,
    webhook_url text not null,
    verdict text,
    changed_at bigint,
    primary key (project_id, model, version)
  );
  `,
  // 15: service level objectives on model metrics, each with its error budget over a period;
  // their multiwindow burn-rate alerts are ordinary alert rules the SLO installs
  `
  create table slos (
    id bigserial primary key,
    project_id bigint not null references projects(id),
    name text not null,
    model text not null,
    version text,
    indicator text not null check (indicator in ('latency', 'failure_rate', 'accuracy', 'drift_free')),
    threshold double precision,
    objective double precision not null check (objective > 0 and objective < 1),
    period text not null,
    owner text not null,
    webhook_url text,
    webhook_format text not null default 'json',
    created_at bigint not null,
    unique (project_id, name)
  );
  `,
  // 16: an SLO on calibration (the core's ECE on labelled rows)
  `
  alter table slos drop constraint slos_indicator_check;
  alter table slos add constraint slos_indicator_check
    check (indicator in ('latency', 'failure_rate', 'accuracy', 'calibration', 'drift_free'))
  `,
  // 17: rollups keep the start of their earliest window, so when a version began reporting
  // reads the same after its raw uploads are folded and pruned (rows folded before: their period)
  `
  alter table rollups add column first_window bigint;
  update rollups set first_window = hour;
  alter table daily_rollups add column first_window bigint;
  update daily_rollups set first_window = day
  `,
  // 18: a device counts towards k only through uploads of at least --k-min-rows rows (or noisy
  // ones); uploads stored before count as they did
  `alter table uploads add column counted boolean not null default true`,
  // 19: the secure mode (secure/): each aggregator's share of every report, its decision per
  // batch, the leader's layouts, the helper's key; a release stands for its batch's reports
  `
  create table secure_reports (
    project_id bigint not null,
    report_id text not null,
    model text not null,
    version text not null,
    segment text not null,
    window_start bigint not null,
    window_end bigint not null,
    layout_hash text not null,
    params text not null,
    cells integer not null,
    share bytea not null,
    received_at bigint not null,
    primary key (project_id, report_id)
  );
  create index secure_reports_by_batch on secure_reports (project_id, model, version, window_end);
  create index secure_reports_by_end on secure_reports (window_end);
  create table secure_batches (
    project_id bigint not null,
    model text not null,
    version text not null,
    segment text not null,
    window_start bigint not null,
    window_end bigint not null,
    layout_hash text not null,
    params text not null,
    state text not null check (state in ('released', 'withheld')),
    reports integer not null,
    report_set text not null,
    missing text not null default '[]',
    share bytea,
    decided_at bigint not null,
    primary key (project_id, model, version, segment, window_start, window_end, layout_hash, params)
  );
  create table secure_layouts (layout_hash text primary key, layout bytea not null);
  create table helper_keys (id text primary key, secret bytea not null, created_at bigint not null);
  alter table uploads add column reports integer
  `,
];

const LOCK_ID = 7_406_512_001; // any constant; identifies "edgewatch migrations" among advisory locks

export async function migrate(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [LOCK_ID]);
    await tx.query('create table if not exists schema_migrations (version int primary key, applied_at bigint not null)');
    const done = await tx.query<{ v: number | null }>('select max(version) as v from schema_migrations');
    const current = done[0]?.v ?? 0;
    for (let i = current; i < MIGRATIONS.length; i++) {
      // Statements run one at a time: the extended protocol takes a single statement.
      for (const stmt of MIGRATIONS[i]
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)) {
        await tx.query(stmt);
      }
      await tx.query('insert into schema_migrations (version, applied_at) values ($1, $2)', [i + 1, Date.now()]);
    }
    return MIGRATIONS.length;
  });
}
