// Labels reach the core as UTF-8 bytes: ASCII is written byte by byte, anything else through the
// encoder from its first non-ASCII character on. Both must give the same counts as the raw data.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';

test('ASCII and non-ASCII labels are counted exactly, and round-trip through the codec', async () => {
  const core = await loadCore();
  const labels = ['stay', 'leave', 'ünïcode', 'abc✓', '✓abc', 'ñ', '😀x', 'x😀', 'stay', 'ünïcode', 'leave', 'stay', 'a'.repeat(300) + 'é'];
  const p = core.profile({
    columns: [
      { name: 'c', kind: 'categorical' },
      { name: 'v', kind: 'categorical', vocabulary: ['ja', 'nein', 'größer'] },
    ],
  });
  p.recordLabels('c', labels);
  p.recordLabels('v', ['größer', 'ja', 'grösser', 'größer', 'nein']);
  const q = core.profileFromBytes(p.toBytes());
  const want = new Map<string, number>();
  for (const l of labels) want.set(l, (want.get(l) ?? 0) + 1);
  const c = q.summary('c');
  if (c.kind !== 'categorical') throw new Error('categorical expected');
  expect(new Map(c.items.map((i) => [i.value, i.count]))).toEqual(want);
  const v = q.summary('v');
  if (v.kind !== 'categorical') throw new Error('categorical expected');
  expect(new Map(v.items.map((i) => [i.value, i.count]))).toEqual(
    new Map([
      ['ja', 1],
      ['nein', 1],
      ['größer', 2],
      ['__other__', 1],
    ]),
  );
  p.dispose();
  q.dispose();
});
