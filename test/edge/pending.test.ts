// Predictions waiting for feedback: counter ids in a ring of the newest `capacity`, each taken
// once; their scores copied into one ring of values that grows up to its bound.
import { expect, test } from 'vitest';
import { PendingPredictions } from '../../src/edge/feedback.ts';

/** A prediction's scores: rows × classes values, distinct for every (prediction, value). */
const scoresOf = (p: number, n: number) => Float32Array.from({ length: n }, (_, i) => p * 1000 + i);

test('ids are UUID-shaped and unique; the newest capacity predictions are kept, each taken once', () => {
  const pending = new PendingPredictions(4);
  const ids = Array.from({ length: 6 }, () => pending.newId());
  expect(new Set(ids).size).toBe(6);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  ids.forEach((_, i) => pending.keep(i, new Float32Array([i / 10, 1 - i / 10]), 0, 1, 2));
  expect(pending.get(ids[0])).toBeUndefined(); // pushed out by ids[4]
  expect(pending.get(ids[1])).toBeUndefined();
  expect(pending.get(ids[2])).toEqual({ scores: new Float32Array([0.2, 0.8]), classes: 2 });
  expect(pending.get(ids[5])).toEqual({ scores: new Float32Array([0.5, 0.5]), classes: 2 });
  pending.forget(ids[5]);
  expect(pending.get(ids[5])).toBeUndefined();
  expect(pending.get('no-such-prediction')).toBeUndefined();
  expect(pending.get(new PendingPredictions(4).newId())).toBeUndefined(); // another engine's id
  expect(pending.get(pending.idOf(99))).toBeUndefined(); // a number not handed out yet
});

test('scores are read from an offset, and what get() returns is a copy', () => {
  const pending = new PendingPredictions(8);
  const seq = pending.next();
  const source = scoresOf(7, 12);
  pending.keep(seq, source, 3, 3, 2); // rows 3 × classes 2, from value 3 on
  source.fill(-1); // the caller's buffer is reused at once
  const got = pending.get(pending.idOf(seq))!;
  expect(got).toEqual({ scores: scoresOf(7, 12).subarray(3, 9), classes: 2 });
  got.scores.fill(-2);
  expect(pending.get(pending.idOf(seq))!.scores).toEqual(scoresOf(7, 12).subarray(3, 9));
});

test('the ring grows to keep the newest predictions, and past its bound forgets the ones newer scores overwrote', () => {
  // Up to 2^16 values: 100 predictions of 64 rows × 3 classes (19,200 values) fit after growing from 2^14.
  const fits = new PendingPredictions(100, 1 << 16);
  const ids: string[] = [];
  for (let p = 0; p < 100; p++) {
    const seq = fits.next();
    ids.push(fits.idOf(seq));
    fits.keep(seq, scoresOf(p, 192), 0, 64, 3);
  }
  ids.forEach((id, p) => expect(fits.get(id)?.scores).toEqual(scoresOf(p, 192)));

  // At most 2^14 values: 50 predictions of 1,000 values (none skipped) outgrow it; the newest 16
  // are whole and exact, older ones are gone (never a mix of old and new values).
  const bounded = new PendingPredictions(100, 1 << 14);
  const seqs: number[] = [];
  for (let p = 0; p < 50; p++) {
    const seq = bounded.next();
    seqs.push(seq);
    bounded.keep(seq, scoresOf(p, 1000), 0, 500, 2);
  }
  const kept = seqs.filter((s) => bounded.get(bounded.idOf(s)) !== undefined);
  expect(kept).toEqual(seqs.slice(50 - kept.length));
  expect(kept.length).toBeGreaterThanOrEqual(15); // 16,384 values hold 16 whole predictions, less one at a wrap
  for (const s of kept) expect(bounded.get(bounded.idOf(s))!.scores).toEqual(scoresOf(s, 1000));
});

test('a prediction too big for the ring keeps its own copy', () => {
  const pending = new PendingPredictions(4, 1 << 14);
  const seq = pending.next();
  pending.keep(seq, scoresOf(3, 5000), 0, 1000, 5); // more than a quarter of the bound
  expect(pending.get(pending.idOf(seq))).toEqual({ scores: scoresOf(3, 5000), classes: 5 });
  for (let p = 0; p < 4; p++) pending.keep(pending.next(), scoresOf(p, 2), 0, 1, 2);
  expect(pending.get(pending.idOf(seq))).toBeUndefined(); // its slot was taken by a newer one
});

test('bad bounds are refused', () => {
  expect(() => new PendingPredictions(0)).toThrow(/capacity/);
  expect(() => new PendingPredictions(10, 1000)).toThrow(/power-of-two/);
});
