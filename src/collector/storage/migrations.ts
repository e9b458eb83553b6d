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
];

const LOCK_ID = 7_406_512_001; // any constant; identifies "edgewatch migrations" among advisory locks

export async function migrate(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [LOCK_ID]);
    await tx.query(
      'create table if not exists schema_migrations (version int primary key, applied_at bigint not null)',
    );
    const done = await tx.query<{ v: number | null }>('select max(version) as v from schema_migrations');
    const current = done[0]?.v ?? 0;
    for (let i = current; i < MIGRATIONS.length; i++) {
      // Statements run one at a time: the extended protocol takes a single statement.
      for (const stmt of MIGRATIONS[i].split(';').map((s) => s.trim()).filter(Boolean)) {
        await tx.query(stmt);
      }
      await tx.query('insert into schema_migrations (version, applied_at) values ($1, $2)', [i + 1, Date.now()]);
    }
    return MIGRATIONS.length;
  });
}
