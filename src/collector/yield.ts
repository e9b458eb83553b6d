// Long background work (evaluating every model version for /metrics and alerts, folding a
// rollup key) runs in bounded slices: between slices it gives the event loop back, so requests
// such as /healthz and uploads are answered while it runs.

/** Resolves after the I/O and timers waiting on the event loop have had their turn. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
