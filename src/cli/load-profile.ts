// Reads a profile file; any decoding problem becomes one line naming the file.
import { readFile } from 'node:fs/promises';
import { CodecError, type Core, type Profile } from 'edgewatch';
import { UserError } from './errors.ts';

export async function loadProfile(core: Core, path: string): Promise<{ profile: Profile; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    // Name the file even when the system error does not (reading a directory, for one).
    const e = err as NodeJS.ErrnoException;
    if (e.code && !e.path) e.path = path;
    throw err;
  }
  if (bytes.byteLength === 0) throw new UserError(`${path}: empty file, not an edgewatch profile`);
  try {
    return { profile: core.profileFromBytes(bytes), bytes };
  } catch (err) {
    if (err instanceof CodecError) throw new UserError(`${path}: ${err.message.split('\n')[0]}`);
    throw err;
  }
}
