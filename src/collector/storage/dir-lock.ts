// One owner per PGlite data directory. Two processes writing one directory each believe they
// own the database, and acknowledged uploads of one are lost to the other's writes. The owner
// holds `edgewatch.lock` (its pid) while the database is open; a later process refuses with one
// line naming the owner. A lock left by a process that died (kill -9, power loss) names a pid
// that no longer runs, and is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'edgewatch.lock';

/** Directories this process holds: a second open in the same process is refused too. */
const held = new Set<string>();

export class DirectoryInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`data directory ${dir} is in use by a running collector (pid ${pid}); stop it first, or point this one at another --data-dir`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock or throws DirectoryInUseError; returns the release function. */
export function lockDirectory(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const key = resolve(dir);
  if (held.has(key)) throw new DirectoryInUseError(dir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(key);
      return () => {
        held.delete(key);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new DirectoryInUseError(dir, pid);
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  throw new Error(`data directory ${dir}: cannot take ${LOCK_FILE}`);
}
