// Finds the engine's bytes: the package's own build/edgewatch.wasm, read from disk in Node and
// fetched in a page or a worker (bundlers that follow `new URL(…, import.meta.url)` emit it as an
// asset and rewrite the URL; others pass a URL of their own through LoadOptions.wasm).
export type WasmSource = BufferSource | WebAssembly.Module | URL | string;

const defaultUrl = new URL('../../build/edgewatch.wasm', import.meta.url);

// Typed here rather than through @types/node: the published types must not need Node's.
type NodeFs = { readFile(path: URL): Promise<Uint8Array<ArrayBuffer>> };
const nodeProcess = (globalThis as { process?: { versions?: { node?: string } } }).process;
const isNode = !!nodeProcess?.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';

export async function compileEngine(source: WasmSource = defaultUrl): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return WebAssembly.compile(source);
  const url = source instanceof URL ? source : new URL(source, baseUrl());
  if (url.protocol === 'file:' && isNode) {
    const fsModule = 'node:fs/promises'; // a variable, so that bundlers leave it out of pages
    const { readFile } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsModule)) as NodeFs;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await readFile(url);
    } catch (err) {
      throw new Error(`edgewatch: cannot read the core at ${url.pathname} (${(err as Error).message})`);
    }
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`edgewatch: cannot fetch the core from ${url} (HTTP ${response.status})`);
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A dev server's HTML fallback page, say: say where it came from instead of a bare CompileError.
  if (!(bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d)) {
    throw new Error(
      `edgewatch: ${url} is not the core (${response.headers.get('content-type') ?? 'no content-type'}, no wasm header): ` +
        'serve edgewatch.wasm from the package (edgewatch/edgewatch.wasm) and pass its URL as coreWasm',
    );
  }
  return WebAssembly.compile(bytes);
}

function baseUrl(): string {
  return typeof location !== 'undefined' ? location.href : import.meta.url;
}
