// The `off` mode's stand-in for a label outside any declared vocabulary: a 64-bit hash of the
// model id and the label, so that the same label counts together on every device while the
// label itself (an e-mail address, a user id) never leaves. It is a pseudonym, not a secret:
// whoever holds a list of candidate labels and the model id can hash them and compare
// (docs/edge.md, *Privacy*); `privacy.labels: 'other'` folds such labels into `__other__` instead.

/** `#` and 16 hex digits: two 32-bit multiply–xorshift lanes over the UTF-16 code units. */
export function hashLabel(salt: string, label: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const s = `${salt}\u0000${label}`;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `#${(h2 >>> 0).toString(16).padStart(8, '0')}${(h1 >>> 0).toString(16).padStart(8, '0')}`;
}
