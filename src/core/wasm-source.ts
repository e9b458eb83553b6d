// Finds the engine's bytes: the package's own build/edgewatch.wasm, read from disk in Node and
// fetched from the same origin in a page or a worker (bundlers rewrite the URL to an asset).
export type WasmSource = BufferSource | WebAssembly.Module | URL | string;

const defaultUrl = new URL('../../build/edgewatch.wasm', import.meta.url);

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export async function compileEngine(source: WasmSource = defaultUrl): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return WebAssembly.compile(source);
  const url = source instanceof URL ? source : new URL(source, baseUrl());
  if (url.protocol === 'file:' && isNode) {
    const fsModule = 'node:fs/promises'; // kept out of browser bundles
    const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
    try {
      return WebAssembly.compile(await readFile(url));
    } catch (err) {
      throw new Error(
        `edgewatch: cannot read the core at ${url.pathname} (${(err as Error).message}); ` +
          'run `npm run build:wasm` (npm install does it)',
      );
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`edgewatch: cannot fetch the core from ${url} (HTTP ${response.status})`);
  return WebAssembly.compile(await response.arrayBuffer());
}

function baseUrl(): string {
  return typeof location !== 'undefined' ? location.href : import.meta.url;
}
