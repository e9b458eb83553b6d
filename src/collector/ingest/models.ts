// Model versions and their columns. A version's columns come from its baseline: once one is set,
// uploads may carry fewer columns, or columns the baseline lacks (a baseline of training data has
// the model's inputs; devices add its outputs, health and feedback), which join the version with
// the kind they first come with; never a column of another kind. Before a baseline, the first
// upload's columns are provisional — recorded, not enforced, and replaced by the baseline — so
// whoever holds an ingest key cannot register a schema that refuses the real uploads (an upload of
// other columns or kinds is kept, and reads fold what cannot merge apart). A new baseline replaces
// every column, those added by uploads included. A private-mode grid column is the numeric column
// it was derived from.
import type { ColumnKind } from 'edgewatch';
import type { Queryable } from '../storage/db.ts';
import { RequestError } from '../errors.ts';

export type ColumnFamily = 'numeric' | 'categorical';
export type ModelColumns = Record<string, ColumnFamily>;

/** A column as the decoder reports it. */
export type ColumnRef = { name: string; kind: ColumnKind };

export const familyOf = (c: ColumnRef): ColumnFamily => (c.kind === 'categorical' ? 'categorical' : 'numeric');

export function columnsOf(specs: readonly ColumnRef[]): ModelColumns {
  // Column names are anyone's bytes: no prototype, so "__proto__" or "constructor" are plain keys.
  const out: ModelColumns = Object.create(null);
  for (const c of specs) out[c.name] = familyOf(c);
  return out;
}

/** Columns one version may accumulate: a bound on what uploads can make the collector track. */
export const MAX_VERSION_COLUMNS = 4096;

/** The columns of `specs` the version does not have yet; throws on a column of another kind. */
export function newColumns(model: string, version: string, known: ModelColumns, specs: readonly ColumnRef[]): ModelColumns {
  const added: ModelColumns = Object.create(null);
  for (const c of specs) {
    const k = Object.hasOwn(known, c.name) ? known[c.name] : undefined;
    if (k === undefined) added[c.name] = familyOf(c);
    else if (k !== familyOf(c)) {
      throw new RequestError(422, 'schema', `schema: column "${c.name}" is ${familyOf(c)}, ${model}@${version} has it ${k}`);
    }
  }
  const total = Object.keys(known).length + Object.keys(added).length;
  if (total > MAX_VERSION_COLUMNS) {
    throw new RequestError(422, 'schema', `schema: ${model}@${version} would have ${total} columns, more than ${MAX_VERSION_COLUMNS}`);
  }
  return added;
}

export interface RegisteredVersion {
  columns: ModelColumns;
  /** true until a baseline sets the columns: then they are enforced. */
  provisional: boolean;
}

export class ModelRegistry {
  // Columns set by a baseline are cached for good (a new baseline in this process updates the
  // entry); provisional ones for `provisionalMs`, so a baseline set through another collector
  // is enforced here within that time.
  private cache = new Map<string, { v: RegisteredVersion; at: number }>();

  constructor(private provisionalMs = 5_000) {}

  async get(db: Queryable, projectId: number, model: string, version: string, now = Date.now()): Promise<RegisteredVersion | undefined> {
    const key = `${projectId}\u0000${model}\u0000${version}`;
    const hit = this.cache.get(key);
    if (hit && (!hit.v.provisional || now - hit.at < this.provisionalMs)) return hit.v;
    const rows = await db.query<{ columns: ModelColumns; provisional: boolean }>(
      'select columns, provisional from models where project_id = $1 and model = $2 and version = $3',
      [projectId, model, version],
    );
    if (!rows[0]) return undefined;
    // JSON from the database has a prototype; names are looked up with Object.hasOwn only.
    const v = { columns: rows[0].columns, provisional: rows[0].provisional };
    this.cache.set(key, { v, at: now });
    return v;
  }

  /**
   * Registers the version with provisional columns unless it exists (another collector may win
   * the race), then reads it. A project holds at most `maxVersions` versions (0: no limit).
   */
  async register(
    db: Queryable,
    projectId: number,
    model: string,
    version: string,
    columns: ModelColumns,
    maxVersions = 0,
  ): Promise<RegisteredVersion> {
    if (maxVersions > 0) {
      const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from models where project_id = $1', [projectId]);
      if (n >= maxVersions) {
        throw new RequestError(
          422,
          'version_limit',
          `the project has ${n} registered model versions, its limit (--max-versions-per-project)`,
        );
      }
    }
    await db.query(
      `insert into models (project_id, model, version, columns, created_at) values ($1, $2, $3, $4, $5)
       on conflict do nothing`,
      [projectId, model, version, JSON.stringify(columns), Date.now()],
    );
    return (await this.get(db, projectId, model, version))!;
  }

  /**
   * Checks an upload's columns against a version whose baseline is set, and adds those it lacks.
   * New || stored: where another collector added the same column meanwhile, its kind stays
   * (jsonb's || keeps the right side's value) and the check on the row read back refuses ours.
   */
  async accept(
    db: Queryable,
    projectId: number,
    model: string,
    version: string,
    known: RegisteredVersion,
    specs: readonly ColumnRef[],
  ): Promise<void> {
    const added = newColumns(model, version, known.columns, specs);
    if (Object.keys(added).length === 0) return;
    await db.query('update models set columns = $4::jsonb || columns where project_id = $1 and model = $2 and version = $3', [
      projectId,
      model,
      version,
      JSON.stringify(added),
    ]);
    this.cache.delete(`${projectId}\u0000${model}\u0000${version}`);
    const stored = await this.get(db, projectId, model, version);
    if (stored) newColumns(model, version, stored.columns, specs);
  }

  /** Sets the version's columns from its baseline (registering it if new): enforced from now on. */
  async setFromBaseline(db: Queryable, projectId: number, model: string, version: string, columns: ModelColumns): Promise<void> {
    await db.query(
      `insert into models (project_id, model, version, columns, created_at, provisional) values ($1, $2, $3, $4, $5, false)
       on conflict (project_id, model, version) do update set columns = excluded.columns, provisional = false`,
      [projectId, model, version, JSON.stringify(columns), Date.now()],
    );
    this.cache.set(`${projectId}\u0000${model}\u0000${version}`, { v: { columns, provisional: false }, at: Date.now() });
  }
}
