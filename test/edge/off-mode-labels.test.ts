// In the `off` mode, labels outside a declared vocabulary leave only as hashes (or as
// `__other__`), and HyperLogLog registers only when asked for: checked on the encoded bytes of
// the real core (no raw label anywhere in them) and on what they decode to.
import { expect, test } from 'vitest';
import { loadCore } from '../../src/core/index.ts';
import { MonitorEngine } from '../../src/edge/engine.ts';
import { hashLabel } from '../../src/edge/label-hash.ts';
import { type MonitorOptions, resolveOptions } from '../../src/edge/options.ts';
import { MemoryStore } from '../../src/edge/store.ts';

const T0 = Date.UTC(2026, 6, 1, 9, 0, 0);

/** Records the labels (one row each) in one window and returns the bytes that would be uploaded. */
async function upload(labels: string[], extra: Partial<MonitorOptions> = {}): Promise<Uint8Array> {
  const engine = await MonitorEngine.start(resolveOptions({ modelId: 'labels-model', modelVersion: '1', ...extra }), {
    core: await loadCore(),
    store: new MemoryStore(),
    now: () => T0,
  });
  engine.record(
    { user: { type: 'string', data: labels, dims: [labels.length] } },
    { score: { type: 'float32', data: new Float32Array(labels.length).fill(0.5), dims: [labels.length, 1] } },
    { latencyMs: 1 },
  );
  await engine.flush();
  const [entry] = await engine.outbox();
  await engine.close();
  return entry.bytes;
}

function contains(hay: Uint8Array, text: string): boolean {
  const needle = new TextEncoder().encode(text);
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const emails = Array.from({ length: 40 }, (_, i) => `user${i % 7}@example.com`);

test('labels without a declared vocabulary leave as hashes: counted together, never verbatim', async () => {
  const core = await loadCore();
  const bytes = await upload(emails);
  expect(contains(bytes, '@example.com')).toBe(false);
  for (let i = 0; i < 7; i++) expect(contains(bytes, `user${i}@`)).toBe(false);
  const p = core.profileFromBytes(bytes);
  const s = p.summary('user');
  if (s.kind !== 'categorical') throw new Error('categorical expected');
  // The counts per hash are the counts per label, computed here from the raw labels.
  const want = new Map<string, number>();
  for (const e of emails) want.set(hashLabel('labels-model', e), (want.get(hashLabel('labels-model', e)) ?? 0) + 1);
  expect(new Map(s.items.map((i) => [i.value, i.count]))).toEqual(want);
  expect(s.items.every((i) => /^#[0-9a-f]{16}$/.test(i.value))).toBe(true);
  p.dispose();
});

test("labels: 'other' folds them into __other__; a declared vocabulary keeps its own labels", async () => {
  const core = await loadCore();
  const other = core.profileFromBytes(await upload(emails, { privacy: { mode: 'off', labels: 'other' } }));
  expect(other.summary('user')).toMatchObject({ items: [{ value: '__other__', count: 40 }] });
  other.dispose();
  const declared = await upload(emails, { vocabularies: { user: ['user1@example.com'] } });
  expect(contains(declared, 'user2@example.com')).toBe(false);
  const p = core.profileFromBytes(declared);
  const s = p.summary('user');
  if (s.kind !== 'categorical') throw new Error('categorical expected');
  const n1 = emails.filter((e) => e === 'user1@example.com').length;
  expect(new Map(s.items.map((i) => [i.value, i.count]))).toEqual(
    new Map([
      ['user1@example.com', n1],
      ['__other__', 40 - n1],
    ]),
  );
  p.dispose();
});

test('HyperLogLog registers leave only when sketchRegisters asks for them', async () => {
  const core = await loadCore();
  // 600 distinct ids, past the sketch's capacity of 256: it keeps frequent items and registers.
  const ids = Array.from({ length: 600 }, (_, i) => `id-${i}`);
  const without = await upload(ids);
  const withRegs = await upload(ids, { privacy: { mode: 'off', sketchRegisters: true } });
  const a = core.profileFromBytes(without);
  const b = core.profileFromBytes(withRegs);
  const sa = a.summary('user');
  const sb = b.summary('user');
  if (sa.kind !== 'categorical' || sb.kind !== 'categorical') throw new Error('categorical expected');
  expect(sa.mode).toBe('sketch');
  expect(Number.isNaN(sa.distinct)).toBe(true); // nothing to test membership against
  expect(Math.abs(sb.distinct - 600) / 600).toBeLessThan(0.1); // the registers are there
  // The withheld upload is the same sketch less its registers: same items, fewer bytes.
  expect(sa.items).toEqual(sb.items);
  expect(withRegs.byteLength - without.byteLength).toBeGreaterThan(100);
  // Merging keeps the distinct count unknown: a withheld side cannot be completed by the other.
  a.merge(b);
  const merged = a.summary('user');
  if (merged.kind !== 'categorical') throw new Error('categorical expected');
  expect(Number.isNaN(merged.distinct)).toBe(true);
  const again = core.profileFromBytes(a.toBytes());
  expect(Number.isNaN((again.summary('user') as { distinct: number }).distinct)).toBe(true);
  again.dispose();
  a.dispose();
  b.dispose();
});
