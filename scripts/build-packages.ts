// Builds the published packages from the repository's sources into packages/*/ (the folders
// `npm pack` packs): compiled ESM and .d.ts from src/, the core's wasm, and the prebuilt
// dashboard. `node --import tsx scripts/build-packages.ts [--pack <dir>]` also packs them.
//
//   packages/edgewatch/   dist/core, dist/edge (src/core, src/edge), build/edgewatch.wasm
//   packages/collector/   dist/collector, dist/cli (src/collector, src/cli), dist/dashboard
//
// Paths inside each package mirror the repository (dist/ for src/), so relative URLs such as the
// core's `../../build/edgewatch.wasm` hold in both.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from '../src/dashboard/build.ts';
import { ensureWasm, WASM_FILE } from './wasm.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PACKAGE_DIRS = { edgewatch: join(ROOT, 'packages/edgewatch'), collector: join(ROOT, 'packages/collector') };

function tsc(project: string): void {
  const bin = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [bin, '-p', project], { cwd: ROOT, stdio: 'inherit' });
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));
}

/**
 * tsc rewrites the extensions of imports, not of URLs: `new URL('./default-worker.ts',
 * import.meta.url)` must name the emitted file. tsc also wraps every `import(variable)` in a
 * helper that would rewrite a relative `.ts` at run time; ours import absolute URLs and Node
 * built-ins only, and the wrapper hides their bundler hints (`@vite-ignore`), so it goes.
 * Anything still naming a .ts is a mistake.
 */
function fixEmittedUrls(dir: string): void {
  const helper = /^var __rewriteRelativeImportExtension = [\s\S]*?\n};\n/m;
  const wrapped = /__rewriteRelativeImportExtension\(((?:\/\*[^*]*\*\/\s*)*)([\w$.]+)\)/g;
  for (const file of jsFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const fixed = text
      .replace(/new URL\((['"])(\.{1,2}\/[^'"]+)\.ts\1, import\.meta\.url\)/g, 'new URL($1$2.js$1, import.meta.url)')
      .replace(helper, '')
      .replace(wrapped, '$1$2');
    const left = /(?:from |import\()['"][^'"]+\.ts['"]|__rewriteRelativeImportExtension/.exec(fixed);
    if (left) throw new Error(`${file}: ${left[0]} left after compiling`);
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

/**
 * The workers createMonitor starts (the default one, and the secure mode's) are self-contained
 * but for onnxruntime-web: a worker sees no import map, so on a page without a bundler its bare
 * imports (comlink, idb, @hpke/core) could not resolve. onnxruntime-web stays a bare import for bundlers to resolve, or a URL the page passes.
 * It stays in dist/edge, so its relative URL of the core's wasm still holds.
 */
async function bundleDefaultWorker(file: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['onnxruntime-web', 'onnxruntime-web/*'],
    logLevel: 'warning',
    // The HPKE library falls back to `import('crypto')` on Node 18 and older; a worker always has
    // globalThis.crypto, so the fallback resolves to it instead of a Node built-in.
    plugins: [
      {
        name: 'web-crypto',
        setup(b) {
          b.onResolve({ filter: /^(node:)?crypto$/ }, () => ({ path: 'crypto', namespace: 'web-crypto' }));
          b.onLoad({ filter: /.*/, namespace: 'web-crypto' }, () => ({ contents: 'export const webcrypto = globalThis.crypto;' }));
        },
      },
    ],
  });
}

function versionsAgree(): string {
  const version = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
  const core = version(PACKAGE_DIRS.edgewatch);
  const collector = version(PACKAGE_DIRS.collector);
  if (collector.version !== core.version || collector.dependencies?.edgewatch !== core.version) {
    throw new Error(
      `package versions disagree: edgewatch ${core.version}, edgewatch-collector ${collector.version} depending on edgewatch ${collector.dependencies?.edgewatch}`,
    );
  }
  return core.version;
}

export async function buildPackages(): Promise<void> {
  const version = versionsAgree();
  ensureWasm();
  for (const dir of Object.values(PACKAGE_DIRS)) rmSync(join(dir, 'dist'), { recursive: true, force: true });
  rmSync(join(PACKAGE_DIRS.edgewatch, 'build'), { recursive: true, force: true });

  tsc('packages/edgewatch/tsconfig.json');
  fixEmittedUrls(join(PACKAGE_DIRS.edgewatch, 'dist'));
  await bundleDefaultWorker(join(PACKAGE_DIRS.edgewatch, 'dist/edge/default-worker.js'));
  await bundleDefaultWorker(join(PACKAGE_DIRS.edgewatch, 'dist/edge/secure-worker.js'));
  mkdirSync(join(PACKAGE_DIRS.edgewatch, 'build'));
  copyFileSync(WASM_FILE, join(PACKAGE_DIRS.edgewatch, 'build/edgewatch.wasm'));

  tsc('packages/collector/tsconfig.json'); // resolves `edgewatch` to the types just emitted
  fixEmittedUrls(join(PACKAGE_DIRS.collector, 'dist'));
  await buildDashboard(join(PACKAGE_DIRS.collector, 'dist/dashboard'));
  console.log(`edgewatch ${version}: packages built in ${Object.values(PACKAGE_DIRS).join(', ')}`);
}

/** `npm pack` of both packages into `dest`; returns the tarballs' paths. */
export function packPackages(dest: string): { edgewatch: string; collector: string } {
  mkdirSync(dest, { recursive: true });
  const pack = (dir: string) => {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return join(dest, (JSON.parse(out) as { filename: string }[])[0].filename);
  };
  return { edgewatch: pack(PACKAGE_DIRS.edgewatch), collector: pack(PACKAGE_DIRS.collector) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packAt = process.argv.indexOf('--pack');
  try {
    await buildPackages();
    if (packAt > 0) {
      const dest = resolve(process.argv[packAt + 1] ?? 'dist/packages');
      for (const file of Object.values(packPackages(dest))) console.log(file);
    }
  } catch (err) {
    console.error(`edgewatch: ${(err as Error).message}`);
    process.exit(1);
  }
}
