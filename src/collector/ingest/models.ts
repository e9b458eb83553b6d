// Model versions and their columns. A column's kind is fixed by the first upload or baseline that
// has it; a later one may carry fewer columns or new ones (a baseline of training data has the
// model's inputs, devices add its outputs, health and feedback), never a column of another kind.
// A private-mode grid column is the numeric column it was derived from.
import type { ColumnKind } from 'edgewatch';
import type { Queryable } from '../storage/db.ts';
import { RequestError } from '../errors.ts';

export type ColumnFamily = 'numeric' | 'categorical';
export type ModelColumns = Record<string, ColumnFamily>;

/** A column as the decoder reports it. */
export type ColumnRef = { name: string; kind: ColumnKind };

export const familyOf = (c: ColumnRef): ColumnFamily => (c.kind === 'categorical' ? 'categorical' : 'numeric');

export function columnsOf(specs: readonly ColumnRef[]): ModelColumns {
  const out: ModelColumns = {};
  for (const c of specs) out[c.name] = familyOf(c);
  return out;
}

/** Columns one version may accumulate: a bound on what uploads can make the collector track. */
export const MAX_VERSION_COLUMNS = 4096;

/** The columns of `specs` the version does not have yet; throws on a column of another kind. */
export function newColumns(model: string, version: string, known: ModelColumns, specs: readonly ColumnRef[]): ModelColumns {
  const added: ModelColumns = {};
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

export class ModelRegistry {
  // A column's kind never changes once registered, so columns are cached; a miss on a column
  // the cache lacks (added since, here or by another collector) reads the row again.
  private cache = new Map<string, ModelColumns>();

  async get(db: Queryable, projectId: number, model: string, version: string): Promise<ModelColumns | undefined> {
    const key = cacheKey(projectId, model, version);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const rows = await db.query<{ columns: ModelColumns }>(
      'select columns from models where project_id = $1 and model = $2 and version = $3',
      [projectId, model, version],
    );
    if (rows[0]) this.cache.set(key, rows[0].columns);
    return rows[0]?.columns;
  }

  /**
   * Checks `specs` against the version's columns and adds the new ones; registers the version if
   * it is new (another collector may win the race: the stored columns are read back either way).
   */
  async accept(db: Queryable, projectId: number, model: string, version: string, specs: readonly ColumnRef[]): Promise<ModelColumns> {
    const known = (await this.get(db, projectId, model, version)) ?? (await this.register(db, projectId, model, version, columnsOf(specs)));
    const added = newColumns(model, version, known, specs);
    if (Object.keys(added).length === 0) return known;
    // New || stored: where another collector added the same column meanwhile, its kind stays
    // (jsonb's || keeps the right side's value) and the check below refuses ours if it differs.
    await db.query('update models set columns = $4::jsonb || columns where project_id = $1 and model = $2 and version = $3', [
      projectId, model, version, JSON.stringify(added),
    ]);
    this.cache.delete(cacheKey(projectId, model, version));
    const stored = (await this.get(db, projectId, model, version))!;
    newColumns(model, version, stored, specs);
    return stored;
  }

  /** Registers the version unless it exists (another collector may win the race), then reads it. */
  async register(
    db: Queryable,
    projectId: number,
    model: string,
    version: string,
    columns: ModelColumns,
  ): Promise<ModelColumns> {
    await db.query(
      `insert into models (project_id, model, version, columns, created_at) values ($1, $2, $3, $4, $5)
       on conflict do nothing`,
      [projectId, model, version, JSON.stringify(columns), Date.now()],
    );
    return (await this.get(db, projectId, model, version))!;
  }
}

const cacheKey = (projectId: number, model: string, version: string) => `${projectId}\u0000${model}\u0000${version}`;
