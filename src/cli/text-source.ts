// Reads a file as a stream of UTF-8 text chunks, constant memory, reporting bytes as they are
// read. Binary files are refused early: a NUL byte or invalid UTF-8 is not a table.
import { createReadStream } from 'node:fs';
import { UserError } from './errors.ts';

const CHUNK_BYTES = 1 << 20;

export async function* readText(path: string, onBytes: (bytesRead: number) => void = () => {}): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let bytesRead = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    const nul = chunk.indexOf(0);
    if (nul >= 0) throw new UserError(`${path}: binary data, not text (a NUL byte at byte ${bytesRead + nul})`);
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new UserError(`${path}: not UTF-8 text (invalid bytes within bytes ${bytesRead}..${bytesRead + chunk.length})`);
    }
    bytesRead += chunk.length;
    onBytes(bytesRead);
    if (text) yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw new UserError(`${path}: not UTF-8 text (the file ends inside a character)`);
  }
  if (tail) yield tail;
}
