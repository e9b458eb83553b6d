// Wall-clock timing of several tasks measured side by side. Tasks take turns round by round, so
// a burst of load from elsewhere on the machine hits them all alike rather than one of them.

export interface TimedTask {
  name: string;
  /** The work to time. Whatever it returns is handed to `after`, outside the timed span. */
  run: () => unknown;
  after?: (result: unknown) => void;
}

export interface Timing {
  name: string;
  /** Fastest run, milliseconds. */
  best: number;
  /** Median run, milliseconds. */
  median: number;
  runs: number;
}

/** One untimed warm-up round (JIT, allocation), then `rounds` timed rounds. */
export function timeRounds(tasks: TimedTask[], rounds: number): Timing[] {
  const times = tasks.map(() => [] as number[]);
  for (let r = -1; r < rounds; r++) {
    tasks.forEach((task, i) => {
      const t0 = performance.now();
      const result = task.run();
      const ms = performance.now() - t0;
      task.after?.(result);
      if (r >= 0) times[i].push(ms);
    });
  }
  return tasks.map((task, i) => {
    const sorted = times[i].sort((a, b) => a - b);
    return { name: task.name, best: sorted[0], median: sorted[sorted.length >> 1], runs: sorted.length };
  });
}
