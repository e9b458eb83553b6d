// The same engine in a real Chromium page and worker gives the same bytes as in Node.
import { expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { loadCore } from '../../src/core/index.ts';
import { referenceProfileBytes } from './fixtures/reference-profile.ts';

declare module 'vitest/browser' {
  interface BrowserCommands {
    coreReferenceBytes(seed: number): Promise<number[]>;
  }
}

test('a page records the same bytes as Node', async () => {
  const core = await loadCore();
  const bytes = referenceProfileBytes(core, 11);
  expect(Array.from(bytes)).toEqual(await commands.coreReferenceBytes(11));
});

test('a worker records the same bytes as Node', async () => {
  const worker = new Worker(new URL('./fixtures/core-worker.ts', import.meta.url), { type: 'module' });
  const reply = await new Promise<unknown>((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(12);
  });
  worker.terminate();
  if (!(reply instanceof Uint8Array)) throw new Error(`worker failed: ${JSON.stringify(reply)}`);
  expect(Array.from(reply)).toEqual(await commands.coreReferenceBytes(12));
});

test('a page decodes bytes made in Node and compares them with its own', async () => {
  const core = await loadCore();
  const a = core.profileFromBytes(Uint8Array.from(await commands.coreReferenceBytes(1)));
  const b = core.profileFromBytes(referenceProfileBytes(core, 2));
  const report = core.compare(a, b);
  expect(Object.keys(report.columns).sort()).toEqual(['plan', 'score', 'x']);
  expect(report.columns.x.drifted.drifted).toBe(false);
});
