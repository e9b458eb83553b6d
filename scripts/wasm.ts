// Builds the core (build/edgewatch.wasm) from assembly/ when its sources changed since the last
// build. The sources' hash is kept beside the wasm, so a checkout, a branch switch or an edit is
// noticed whatever the files' times say. Used by `npm install`, the package build and the tests.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WASM_FILE = join(ROOT, 'build/edgewatch.wasm');
const STAMP = `${WASM_FILE}.sources`;

function sourcesHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(join(ROOT, 'assembly'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') || f.endsWith('.json'))
    .map((f) => join('assembly', f))
    .sort();
  for (const file of [...files, 'asconfig.json', 'scripts/asc-compact-math.mjs'])
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(ROOT, file)))
      .update('\0');
  return hash.digest('hex');
}

/** Rebuilds the wasm if assembly/, asconfig.json or its transform changed; returns whether it did. */
export function ensureWasm(): boolean {
  const wanted = sourcesHash();
  if (existsSync(WASM_FILE) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return false;
  // Run from the repository's root so that the paths compiled into the wasm are relative ones.
  const asc = join(ROOT, 'node_modules/assemblyscript/bin/asc.js');
  const transform = join(ROOT, 'scripts/asc-compact-math.mjs');
  const run = spawnSync(process.execPath, [asc, 'assembly/index.ts', '--target', 'release', '--transform', transform], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the core did not compile (asc exited ${run.status ?? run.signal}):\n${run.stderr}`);
  writeFileSync(STAMP, wanted);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureWasm() ? `edgewatch core built: ${WASM_FILE}` : 'edgewatch core up to date');
  } catch (err) {
    console.error(`edgewatch: ${(err as Error).message}`);
    process.exit(1);
  }
}
