// `edgewatch keys create|list|revoke`: key management straight on the database (PGlite data
// directory or DATABASE_URL). One process owns a PGlite directory (storage/dir-lock.ts): against
// a running collector's directory the command says so in one line and changes nothing.
import { resolveOptions } from './config.ts';
import { createKey, KEY_KINDS, listKeys, revokeKey, type KeyKind } from './keys.ts';
import { openStorage } from './storage/open.ts';

export const KEYS_HELP = `Usage:
  edgewatch keys create --project <name> --kind ingest|read|admin [--origin <https://site>]... [--label <text>]
  edgewatch keys list [--project <name>]
  edgewatch keys revoke <id | key prefix>
Storage: --database-url / DATABASE_URL, else --data-dir / EDGEWATCH_DATA_DIR (default ./.edgewatch).
A new key is printed once; only its hash is stored.`;

/** Runs the command; returns the process exit code. Output goes to `out` (stdout by default). */
export async function keysCommand(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    out(KEYS_HELP);
    return sub ? 0 : 2;
  }
  const own: Record<string, string[]> = {};
  const storageArgs: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].split(/=(.*)/s, 2);
    if (['--project', '--kind', '--origin', '--label'].includes(flag)) {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      (own[flag] ??= []).push(v);
    } else if (flag === '--database-url' || flag === '--data-dir') {
      storageArgs.push(flag, inline ?? rest[++i]);
    } else if (flag.startsWith('--')) {
      throw new Error(`unknown option ${flag}\n${KEYS_HELP}`);
    } else positional.push(rest[i]);
  }
  const opts = resolveOptions(storageArgs);
  const db = await openStorage({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  try {
    if (sub === 'create') {
      const project = own['--project']?.[0];
      const kind = own['--kind']?.[0] as KeyKind | undefined;
      if (!project || !kind || !KEY_KINDS.includes(kind))
        throw new Error(`keys create needs --project and --kind ingest|read|admin\n${KEYS_HELP}`);
      const { key, info } = await createKey(db, { project, kind, origins: own['--origin'], label: own['--label']?.[0] });
      out(key);
      out(`# id ${info.id}, ${info.kind} key of project ${info.project}; store it now, it is not shown again`);
      return 0;
    }
    if (sub === 'list') {
      const keys = await listKeys(db, { project: own['--project']?.[0] });
      out(['id', 'project', 'kind', 'prefix', 'created', 'revoked', 'origins', 'label'].join('\t'));
      for (const k of keys) {
        out(
          [
            k.id,
            k.project,
            k.kind,
            k.prefix,
            new Date(k.createdAt).toISOString(),
            k.revokedAt ? new Date(k.revokedAt).toISOString() : '-',
            k.origins.join(',') || '*',
            k.label,
          ].join('\t'),
        );
      }
      return 0;
    }
    if (sub === 'revoke') {
      if (positional.length !== 1) throw new Error(`keys revoke needs one key id or prefix\n${KEYS_HELP}`);
      const n = await revokeKey(db, positional[0]);
      out(n ? `revoked ${n} key(s)` : 'no active key matches');
      return n ? 0 : 1;
    }
    throw new Error(`unknown keys command "${sub}"\n${KEYS_HELP}`);
  } finally {
    await db.close();
  }
}
