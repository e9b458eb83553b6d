// The TypeScript type a JSON Schema (written `as const`) describes, computed by the compiler, so
// that a shape declared as a schema is never written a second time as an interface. Type-level
// only: nothing here exists at run time, and the published `.d.ts` needs no schema library (the
// `edgewatch` package ships it to browsers, whose dependencies stay comlink and idb).
//
// It reads the keywords the read API's schemas use, and no others (test/core/read-api-schemas.test.ts
// refuses a schema with any other keyword, so none is silently read as `unknown`):
//   type (one or a list), enum, const, properties, required, additionalProperties, items, anyOf,
//   and `title` naming one of `N`: a shape the core types itself, passed through untouched.
// Validation keywords (minimum, maxLength, pattern…) and annotations (description) are allowed and
// do not change the type.

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<S> = S extends { required: readonly (infer R)[] } ? R : never;

type PropertiesOf<S, N> = S extends { properties: infer P }
  ? { -readonly [K in keyof P as K extends RequiredKeys<S> ? K : never]: FromSchema<P[K], N> } & {
      -readonly [K in keyof P as K extends RequiredKeys<S> ? never : K]?: FromSchema<P[K], N>;
    }
  : unknown;

type AdditionalOf<S, N> = S extends { additionalProperties: infer A }
  ? A extends false
    ? unknown
    : A extends true
      ? Record<string, unknown>
      : Record<string, FromSchema<A, N>>
  : unknown;

type ObjectOf<S, N> = Simplify<PropertiesOf<S, N> & AdditionalOf<S, N>>;

type OfType<T, S, N> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { items: infer I }
            ? FromSchema<I, N>[]
            : unknown[]
          : T extends 'object'
            ? ObjectOf<S, N>
            : never;

/** `type: [..., 'null']` beside a named shape: the shape or null. */
type NullOf<S> = S extends { type: readonly (infer T)[] } ? ('null' extends T ? null : never) : never;

/**
 * The type of the values schema `S` accepts. `N` maps titles to types the core declares itself
 * (a schema `{ title: 'ColumnSummary', … }` is `N['ColumnSummary']`).
 */
export type FromSchema<S, N = unknown> = S extends { title: infer T extends keyof N }
  ? N[T] | NullOf<S>
  : S extends { const: infer C }
    ? C
    : S extends { enum: readonly (infer E)[] }
      ? E
      : S extends { anyOf: readonly (infer A)[] }
        ? A extends unknown
          ? FromSchema<A, N>
          : never
        : S extends { type: infer T }
          ? T extends readonly (infer U)[]
            ? OfType<U, S, N>
            : OfType<T, S, N>
          : unknown;
