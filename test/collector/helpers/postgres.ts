// A real PostgreSQL server for the collector tests. CI starts one and passes its URL in
// EDGEWATCH_TEST_PG_URL; otherwise the tests start a throwaway one with ./postgres/start.sh
// (needs the server binaries: apt-get install -y postgresql). Under CI=true a missing server is
// an error, never a skip.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const startScript = fileURLToPath(new URL('../postgres/start.sh', import.meta.url));

export interface PgServer {
  url: string;
  stop(): void;
}

export function startPostgres(): PgServer {
  const given = process.env.EDGEWATCH_TEST_PG_URL;
  if (given) return { url: given, stop() {} };
  let out: string;
  try {
    out = execFileSync(startScript, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`no PostgreSQL for the collector tests: set EDGEWATCH_TEST_PG_URL or install the server (${(err as Error).message})`);
  }
  const [url, dataDir] = out.trim().split('\n');
  return {
    url,
    stop() {
      // SIGINT is PostgreSQL's "fast shutdown"; wait for it to finish, then remove the data.
      try {
        const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
        process.kill(pid, 'SIGINT');
        execFileSync('bash', ['-c', `for i in $(seq 100); do kill -0 ${pid} 2>/dev/null || exit 0; sleep 0.1; done`]);
      } catch {
        /* already stopped */
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new, empty database on the server, so each test starts clean. */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = 'ew_' + randomBytes(6).toString('hex');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
