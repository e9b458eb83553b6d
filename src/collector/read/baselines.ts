// Baselines: one reference profile per model version (built from training data with
// `edgewatch profile`). Setting one sets the version's columns (see ingest/models.ts).
import { OTHER } from 'edgewatch';
import type { GridColumn } from 'edgewatch/read-api';
import type { Core, Profile } from '../core.ts';
import { RequestError } from '../errors.ts';
import { columnsOf, type ModelRegistry } from '../ingest/models.ts';
import type { Queryable } from '../storage/db.ts';

export async function setBaseline(
  db: Queryable,
  core: Core,
  models: ModelRegistry,
  projectId: number,
  model: string,
  version: string,
  bytes: Uint8Array,
): Promise<{ columns: string[] }> {
  let profile: Profile;
  try {
    profile = core.profileFromBytes(bytes);
  } catch (err) {
    throw new RequestError(400, 'decode', `decode: ${String((err as Error).message).split('\n')[0]}`);
  }
  try {
    const specs = profile.columns;
    if (specs.length === 0) throw new RequestError(422, 'schema', 'schema: the baseline has no columns');
    await models.setFromBaseline(db, projectId, model, version, columnsOf(specs));
    await db.query(
      `insert into baselines (project_id, model, version, payload, created_at) values ($1, $2, $3, $4, $5)
       on conflict (project_id, model, version) do update set payload = excluded.payload, created_at = excluded.created_at`,
      [projectId, model, version, bytes, Date.now()],
    );
    return { columns: specs.map((c) => c.name) };
  } finally {
    profile.dispose();
  }
}

export async function loadBaseline(db: Queryable, core: Core, projectId: number, model: string, version: string): Promise<Profile | null> {
  const rows = await db.query<{ payload: Uint8Array }>(
    'select payload from baselines where project_id = $1 and model = $2 and version = $3',
    [projectId, model, version],
  );
  return rows[0] ? core.profileFromBytes(rows[0].payload) : null;
}

export type { GridColumn };

/**
 * The private-mode grid devices record on, as the edge runtime reads it: per numeric column the
 * baseline's percentile edges (the core's percentileEdges), per categorical column the
 * baseline's values as a fixed vocabulary (anything else folds into `__other__` on the device).
 * A baseline column that already is a grid keeps its edges.
 */
export function gridOf(baseline: Profile, bins: number): Record<string, GridColumn> {
  const out: Record<string, GridColumn> = Object.create(null);
  for (const c of baseline.schema().columns) {
    if (c.kind === 'categorical') {
      const s = baseline.summary(c.name);
      const values = s.kind === 'categorical' ? s.items.map((i) => i.value).filter((v) => v !== OTHER) : [];
      out[c.name] = { vocabulary: values.sort() };
    } else if (c.kind === 'grid') {
      out[c.name] = { edges: Array.from(c.edges ?? []) };
    } else {
      out[c.name] = { edges: baseline.percentileEdges(c.name, bins) };
    }
  }
  return out;
}
