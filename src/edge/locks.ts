// Web Locks, where the browser has them: one tab at a time works on the shared outbox, and a
// running instance holds a lock so that another tab never "recovers" its open window.
type LockManagerLike = {
  request<T>(name: string, options: { ifAvailable?: boolean }, cb: (lock: unknown) => Promise<T> | T): Promise<T>;
};

function manager(): LockManagerLike | undefined {
  return (globalThis.navigator as unknown as { locks?: LockManagerLike } | undefined)?.locks;
}

/** Runs `fn` holding the lock if nobody else holds it; returns undefined (without running) otherwise. */
export async function withLockIfFree<T>(name: string, fn: () => Promise<T>): Promise<{ ran: boolean; value?: T }> {
  const m = manager();
  if (!m) return { ran: true, value: await fn() };
  return m.request(name, { ifAvailable: true }, async (lock) => (lock ? { ran: true, value: await fn() } : { ran: false }));
}

/** Holds a lock until the returned release function is called. */
export async function holdLock(name: string): Promise<() => void> {
  const m = manager();
  if (!m) return () => {};
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await new Promise<void>((acquired) => {
    void m.request(name, {}, () => {
      acquired();
      return held;
    });
  });
  return release;
}

/** True when nobody holds the lock right now. */
export async function isFree(name: string): Promise<boolean> {
  const m = manager();
  if (!m) return true;
  return m.request(name, { ifAvailable: true }, (lock) => lock !== null);
}
