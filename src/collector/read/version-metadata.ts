// What a model version is, beyond its columns: who owns it, how critical it is, the training
// data snapshot and feature schema version it was built from, and the version to roll back to
// (the canary comparison's default peer).
import type { VersionMetadata } from 'edgewatch/read-api';
import type { Queryable } from '../storage/db.ts';

// The shape (and the body and response schema of its routes) is the read API's.
export { CRITICALITIES, versionMetadataSchema as metadataSchema, type VersionMetadata } from 'edgewatch/read-api';

type Where = { projectId: number; model: string; version: string };

export async function saveMetadata(db: Queryable, w: Where, m: VersionMetadata, now: number): Promise<void> {
  await db.query(
    `insert into version_metadata (project_id, model, version, owner, criticality, training_snapshot, schema_version, rollback_target, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (project_id, model, version) do update set owner = excluded.owner, criticality = excluded.criticality,
       training_snapshot = excluded.training_snapshot, schema_version = excluded.schema_version,
       rollback_target = excluded.rollback_target, updated_at = excluded.updated_at`,
    [
      w.projectId,
      w.model,
      w.version,
      m.owner ?? null,
      m.criticality ?? null,
      m.trainingSnapshot ?? null,
      m.schemaVersion ?? null,
      m.rollbackTarget ?? null,
      now,
    ],
  );
}

/** The version's metadata; every field null when none was set. */
export async function loadMetadata(db: Queryable, w: Where): Promise<Required<VersionMetadata>> {
  const [r] = await db.query<Record<string, string | null>>(
    'select * from version_metadata where project_id = $1 and model = $2 and version = $3',
    [w.projectId, w.model, w.version],
  );
  return {
    owner: r?.owner ?? null,
    criticality: (r?.criticality as VersionMetadata['criticality']) ?? null,
    trainingSnapshot: r?.training_snapshot ?? null,
    schemaVersion: r?.schema_version ?? null,
    rollbackTarget: r?.rollback_target ?? null,
  };
}
