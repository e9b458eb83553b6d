// A vocabulary may list `__other__` itself (a baseline's vocabulary read back from its schema
// does) or repeat a word: each is still one cell, and the profile decodes after encoding.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';

test('a vocabulary that lists __other__ or a word twice encodes and decodes', async () => {
  const core = await loadCore();
  const p = core.profile({ columns: [{ name: 'plan', kind: 'categorical', vocabulary: ['basic', 'pro', 'basic', '__other__'] }] });
  p.recordLabels('plan', ['basic', 'pro', 'pro', '__other__', 'team']);
  const back = core.profileFromBytes(p.toBytes());
  const s = back.summary('plan');
  if (s.kind !== 'categorical') throw new Error('plan is categorical');
  expect(Object.fromEntries(s.items.map((i) => [i.value, i.count]))).toEqual({ basic: 1, pro: 2, __other__: 2 });
  p.dispose();
  back.dispose();
});
