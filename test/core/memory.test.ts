// Sketches are released deterministically: creating and disposing 100k of them does not grow the
// engine's memory.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';

test('100k sketches created and disposed leave memory where it was', async () => {
  const core = await loadCore();
  const cycle = (n: number) => {
    for (let i = 0; i < n; i++) {
      const p = core.profile({
        columns: [
          { name: 'x', kind: 'numeric' },
          { name: 'c', kind: 'categorical' },
        ],
      });
      p.recordColumns({ x: [i, i * 0.5, -i], c: ['a', String(i % 7)] });
      p.dispose();
    }
  };
  cycle(10_000); // warm up: scratch and result buffers reach their working size
  const before = core.stats();
  cycle(100_000);
  const after = core.stats();
  expect(after.liveProfiles).toBe(before.liveProfiles);
  expect(after.memoryBytes).toBe(before.memoryBytes);
});

test('`using` disposes at the end of the block', async () => {
  const core = await loadCore();
  const live = core.stats().liveProfiles;
  {
    using h = core.histogram();
    h.add(1);
    expect(core.stats().liveProfiles).toBe(live + 1);
  }
  expect(core.stats().liveProfiles).toBe(live);
});
