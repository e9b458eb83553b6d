// The read API's schemas as a contract that can be trusted: FromSchema derives the types the
// keywords say (checked by the compiler: `npm run typecheck` fails on a wrong type), and every
// schema of edgewatch/read-api uses only keywords FromSchema reads, closes its objects, and
// requires only fields it declares.
import type { ColumnSummary } from 'edgewatch';
import * as readApi from 'edgewatch/read-api';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FromSchema } from '../../src/core/json-schema.ts';

/** Keywords FromSchema reads, and those that only validate or annotate (no effect on the type). */
const TYPED = new Set(['type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'title']);
const ANNOTATIONS = new Set(['description', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern']);
/** Objects left open on purpose: the core's own shapes (named by title), and an alert's evidence. */
const CORE_TITLES = new Set(['ColumnSummary', 'ColumnDrift', 'StepColumn']);
const OPEN = new Set<object>([readApi.alertEvidenceSchema]);

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && ('type' in v || 'anyOf' in v || 'const' in v);

/** Every schema inside `s`, with its path, `s` first. */
function* walk(s: Schema, path: string): Generator<[string, Schema]> {
  yield [path, s];
  for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) if (isSchema(v)) yield* walk(v, `${path}.${k}`);
  if (isSchema(s.additionalProperties)) yield* walk(s.additionalProperties, `${path}[*]`);
  if (isSchema(s.items)) yield* walk(s.items, `${path}[]`);
  for (const [i, v] of ((s.anyOf as unknown[]) ?? []).entries()) if (isSchema(v)) yield* walk(v, `${path}|${i}`);
}

const exported = Object.entries(readApi as Record<string, unknown>).filter((e): e is [string, Schema] => isSchema(e[1]));

describe('the schemas of edgewatch/read-api', () => {
  it('are exported for every answer the client reads', () => {
    const names = exported.map(([n]) => n);
    for (const n of ['modelsSchema', 'profileSchema', 'driftSchema', 'summariesSchema', 'segmentsSchema', 'performanceSchema'])
      expect(names).toContain(n);
    for (const n of ['alertsSchema', 'rulesSchema', 'slosSchema', 'incidentsSchema', 'incidentDetailSchema', 'canarySchema'])
      expect(names).toContain(n);
    for (const n of ['baselineSetSchema', 'baselinePinnedSchema', 'gridSchema']) expect(names).toContain(n);
  });

  it('use only keywords FromSchema reads (or that do not change the type)', () => {
    const unknown: string[] = [];
    for (const [name, schema] of exported)
      for (const [path, s] of walk(schema, name))
        for (const k of Object.keys(s)) if (!TYPED.has(k) && !ANNOTATIONS.has(k)) unknown.push(`${path}: ${k}`);
    expect(unknown).toEqual([]);
  });

  it('close every object, except the core shapes they pass through and the open evidence', () => {
    const open: string[] = [];
    for (const [name, schema] of exported)
      for (const [path, s] of walk(schema, name)) {
        const types = [s.type].flat();
        if (!types.includes('object') || OPEN.has(s)) continue;
        if (CORE_TITLES.has(s.title as string)) {
          expect(s.additionalProperties, path).toBe(true);
          continue;
        }
        // A map (additionalProperties a schema) or a record of fixed fields (false): never both open.
        if (s.additionalProperties !== false && !isSchema(s.additionalProperties)) open.push(path);
        if (isSchema(s.additionalProperties) && s.properties) open.push(`${path} (fields and a map)`);
      }
    expect(open).toEqual([]);
  });

  it('require only the fields they declare', () => {
    const strays: string[] = [];
    for (const [name, schema] of exported)
      for (const [path, s] of walk(schema, name))
        for (const r of (s.required as string[]) ?? []) if (!Object.hasOwn((s.properties as object) ?? {}, r)) strays.push(`${path}.${r}`);
    expect(strays).toEqual([]);
  });
});

describe('FromSchema', () => {
  it('derives required, optional, nullable, enum and const fields', () => {
    const s = {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'note'],
      properties: {
        id: { type: 'integer' },
        note: { type: ['string', 'null'] },
        state: { type: 'string', enum: ['open', 'closed'] },
        ok: { const: true },
      },
    } as const;
    expectTypeOf<FromSchema<typeof s>>().toEqualTypeOf<{ id: number; note: string | null; state?: 'open' | 'closed'; ok?: true }>();
  });

  it('derives maps, arrays, unions and nested objects', () => {
    const s = {
      type: 'object',
      additionalProperties: false,
      required: ['counts', 'rows'],
      properties: {
        counts: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
        rows: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
        either: {
          anyOf: [
            { type: 'boolean' },
            { type: 'object', additionalProperties: false, required: ['at'], properties: { at: { type: 'integer' } } },
          ],
        },
      },
    } as const;
    expectTypeOf<FromSchema<typeof s>>().toEqualTypeOf<{
      counts: Record<string, number | null>;
      rows: string[][];
      either?: boolean | { at: number };
    }>();
  });

  it('reads a titled schema as the type it names, and null beside it', () => {
    type Named = { ColumnSummary: ColumnSummary };
    expectTypeOf<FromSchema<{ title: 'ColumnSummary'; type: 'object' }, Named>>().toEqualTypeOf<ColumnSummary>();
    expectTypeOf<FromSchema<{ title: 'ColumnSummary'; type: readonly ['object', 'null'] }, Named>>().toEqualTypeOf<ColumnSummary | null>();
    // A title the map does not name is only an annotation.
    expectTypeOf<FromSchema<{ title: 'Other'; type: 'string' }, Named>>().toEqualTypeOf<string>();
  });

  it('gives the read API its shapes', () => {
    expectTypeOf<readApi.Incident['state']>().toEqualTypeOf<'open' | 'acknowledged' | 'resolved'>();
    expectTypeOf<readApi.Signal['window']>().toEqualTypeOf<{ name: string; from: number; to: number } | null>();
    expectTypeOf<NonNullable<readApi.ProfileResponse['columns']>>().toEqualTypeOf<Record<string, ColumnSummary>>();
    expectTypeOf<readApi.SummaryPoint['columns']>().toEqualTypeOf<Record<string, readApi.StepColumn> | undefined>();
    type PerVersion = readApi.SloView['versions'][number];
    expectTypeOf<Omit<PerVersion, 'version'>>().toEqualTypeOf<readApi.SloStatus>();
    expectTypeOf<PerVersion['version']>().toEqualTypeOf<string>();
  });
});
