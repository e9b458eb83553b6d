// Predictions waiting for feedback: counter ids in a ring of the newest `capacity`, each taken once.
import { expect, test } from 'vitest';
import { PendingPredictions } from '../../src/edge/feedback.ts';

const rows = (x: number) => ({ scores: new Float32Array([x, 1 - x]), classes: 2 });

test('ids are UUID-shaped and unique; the newest capacity predictions are kept, each taken once', () => {
  const pending = new PendingPredictions(4);
  const ids = Array.from({ length: 6 }, () => pending.newId());
  expect(new Set(ids).size).toBe(6);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  ids.forEach((id, i) => pending.remember(id, rows(i / 10)));
  expect(pending.get(ids[0])).toBeUndefined(); // pushed out by ids[4]
  expect(pending.get(ids[1])).toBeUndefined();
  expect(pending.get(ids[2])?.scores[0]).toBeCloseTo(0.2);
  expect(pending.get(ids[5])?.scores[0]).toBeCloseTo(0.5);
  pending.forget(ids[5]);
  expect(pending.get(ids[5])).toBeUndefined();
  expect(pending.get('no-such-prediction')).toBeUndefined();
  expect(pending.get(new PendingPredictions(4).newId())).toBeUndefined(); // another engine's id
});
