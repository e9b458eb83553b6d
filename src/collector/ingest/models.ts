// Model versions and their columns. A version's columns are fixed by its first upload (or its
// baseline); later uploads may carry fewer columns, never unknown ones or a different kind.
// A private-mode grid column is the numeric column it was derived from.
import type { ColumnKind } from '../../core/types.ts';
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

export function checkColumns(model: string, version: string, known: ModelColumns, specs: readonly ColumnRef[]): void {
  for (const c of specs) {
    const k = Object.hasOwn(known, c.name) ? known[c.name] : undefined;
    if (k === undefined) throw new RequestError(422, 'schema', `schema: unknown column "${c.name}" for ${model}@${version}`);
    if (k !== familyOf(c)) {
      throw new RequestError(422, 'schema', `schema: column "${c.name}" is ${familyOf(c)}, ${model}@${version} has it ${k}`);
    }
  }
}

export class ModelRegistry {
  // Columns of a version never change once registered, so they are cached for good.
  private cache = new Map<string, ModelColumns>();

  async get(db: Queryable, projectId: number, model: string, version: string): Promise<ModelColumns | undefined> {
    const key = `${projectId}\u0000${model}\u0000${version}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const rows = await db.query<{ columns: ModelColumns }>(
      'select columns from models where project_id = $1 and model = $2 and version = $3',
      [projectId, model, version],
    );
    if (rows[0]) this.cache.set(key, rows[0].columns);
    return rows[0]?.columns;
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
