// The last error, as a message for the caller. Functions that can fail return a sentinel and set
// this; nothing in the core traps on bad input.
export let lastError: string = '';

export function fail(message: string): void {
  lastError = message;
}

export function labelText(bytes: StaticArray<u8>): string {
  return String.UTF8.decodeUnsafe(changetype<usize>(bytes), bytes.length);
}
