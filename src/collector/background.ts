// A periodic background task (alert rounds, rollups, OTLP pushes): runs never overlap, a failed
// run is logged and the next one tries again, and stop() waits for the run in progress.
export function every(ms: number, name: string, task: () => Promise<unknown>): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer =
    ms > 0
      ? setInterval(() => {
          running ??= task()
            .catch((err) => console.error(`edgewatch ${name}: ${(err as Error).message}`))
            .finally(() => (running = undefined));
        }, ms)
      : undefined;
  timer?.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
