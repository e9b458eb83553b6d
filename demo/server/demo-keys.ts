// The demo project's keys. The collector stores only their hashes, so the demo keeps the keys
// themselves in a file next to its data (mode 0600): a second start finds them, checks that the
// collector still knows them, and creates only what is missing or revoked.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createKey, type KeyKind } from '../../src/collector/index.ts';
import { authenticate } from '../../src/collector/keys.ts';
import type { Queryable } from '../../src/collector/storage/db.ts';

export type DemoKeys = Record<KeyKind, string>;

const KINDS: KeyKind[] = ['ingest', 'read', 'admin'];

async function readKeys(file: string): Promise<Partial<DemoKeys>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Partial<DemoKeys>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${file}: cannot read the demo's keys (${(err as Error).message}); delete the file to create new ones`);
  }
}

export async function ensureDemoKeys(db: Queryable, project: string, file: string): Promise<{ keys: DemoKeys; created: KeyKind[] }> {
  const saved = await readKeys(file);
  const keys = {} as DemoKeys;
  const created: KeyKind[] = [];
  for (const kind of KINDS) {
    const old = saved[kind];
    const principal = old ? await authenticate(db, old) : null;
    if (principal && principal.project === project && principal.kind === kind) {
      keys[kind] = old!;
    } else {
      keys[kind] = (await createKey(db, { project, kind, label: `demo ${kind}` })).key;
      created.push(kind);
    }
  }
  if (created.length > 0) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  }
  return { keys, created };
}
