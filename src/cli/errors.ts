// Errors the user can fix (a missing file, a ragged row, a bad flag) end the command with one
// line on stderr and no stack trace; anything else is a fault of edgewatch itself.
import { CodecError, CoreError } from 'edgewatch';

/** A problem with the input or the invocation; its message is shown as is. */
export class UserError extends Error {
  override name = 'UserError';
}

/** A malformed command line: shown with a pointer to --help, exit code 2. */
export class UsageError extends UserError {
  override name = 'UsageError';
}

const FS_CODES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ECONNREFUSED: 'connection refused',
};

/** The one line to print for an error, and whether it is the user's to fix. */
export function describeError(err: unknown): { line: string; user: boolean } {
  if (err instanceof UserError || err instanceof CodecError || err instanceof CoreError) {
    return { line: firstLine(err.message), user: true };
  }
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e && typeof e.code === 'string' && FS_CODES[e.code]) {
    const where = e.path ?? (e.address ? `${e.address}${e.port ? `:${e.port}` : ''}` : undefined);
    return { line: `${where ? `${where}: ` : ''}${FS_CODES[e.code]}`, user: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { line: `internal error: ${firstLine(message)} (set EDGEWATCH_DEBUG=1 for details)`, user: false };
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
