// The collector's handle on the wasm core: loaded once per process and shared, because decoding,
// merging and comparing must be the very code the browser records with. Loaded lazily, so key
// management never pays for it.
type CoreModule = typeof import('edgewatch');
export type Core = Awaited<ReturnType<CoreModule['loadCore']>>;
export type Profile = ReturnType<Core['profileFromBytes']>;

let shared: Promise<Core> | undefined;
export function sharedCore(): Promise<Core> {
  shared ??= import('edgewatch').then((m) => m.loadCore());
  return shared;
}
