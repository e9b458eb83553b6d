// Delayed ground truth and instrument(): labels arriving after the prediction become confusion
// counts, per-class score histograms by true label and calibration bins, checked against the
// reference model; an app's own session is recorded around session.run in its own thread.
import * as ort from 'onnxruntime-web/wasm';
import { describe, expect, test } from 'vitest';
import { createMonitor, instrument } from '../../src/edge/index.ts';
import { buildClassifier, churnClassifier, classifierReference } from '../fixtures/onnx/build-model.ts';
import { decode, featureRows, freshModelId } from './helpers.ts';

/** One window for the whole test: a wall-clock window boundary cannot split what it records. */
const ONE_WINDOW = 2 ** 40;

const classes = ['stay', 'downgrade', 'leave'];

function reference(rows: Float32Array): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows.length / 4; i++) out.push(classifierReference(churnClassifier, rows.subarray(i * 4, i * 4 + 4)));
  return out;
}

const argmax = (p: number[]) => p.indexOf(Math.max(...p));

describe('feedback', () => {
  test('labels of earlier predictions become confusion counts, scores by label and calibration bins', async () => {
    const monitor = await createMonitor({
      model: buildClassifier(churnClassifier),
      modelId: freshModelId('fb'),
      modelVersion: '1',
      classes,
      window: ONE_WINDOW,
    });
    try {
      const rows = featureRows(30, 21);
      const probs = reference(rows);
      const truth = probs.map((_, i) => classes[(i * 7) % 3]);
      const { predictionId } = await monitor.predict({ input: { type: 'float32', data: rows.slice(), dims: [30, 4] } });
      expect(await monitor.feedback('no-such-prediction', 'stay')).toBe(false);
      await expect(monitor.feedback(predictionId, ['stay'])).rejects.toThrow(/30 rows but 1 labels/);
      await expect(
        monitor.feedback(
          predictionId,
          truth.map(() => 'unknown'),
        ),
      ).rejects.toThrow(/not one of the classes/);
      expect(await monitor.feedback(predictionId, truth)).toBe(true);
      await monitor.flush();
      const [entry] = await monitor.outbox();
      const p = await decode(entry.bytes);

      const confusion = new Map<string, number>();
      probs.forEach((pr, i) => {
        const key = `${truth[i]}|${classes[argmax(pr)]}`;
        confusion.set(key, (confusion.get(key) ?? 0) + 1);
      });
      const c = p.summary('feedback.probabilities.confusion');
      if (c.kind !== 'categorical') throw new Error('categorical expected');
      for (const { value, count } of c.items) expect(count).toBe(confusion.get(value) ?? 0);
      expect(c.count).toBe(30);

      // Scores of class 'leave' for rows whose true label is 'stay'.
      const s = p.summary('feedback.probabilities.score.leave.label.stay');
      const expected = probs.filter((_, i) => truth[i] === 'stay').map((pr) => pr[2]);
      expect(s.count).toBe(expected.length);
      if (s.kind === 'categorical') throw new Error('grid expected');
      expect(s.sum).toBeCloseTo(
        expected.reduce((a, b) => a + b, 0),
        4,
      );

      // Calibration: all labelled confidences, and those of correct predictions, on tenths.
      const all = p.summary('feedback.probabilities.calibration.all');
      const correct = p.summary('feedback.probabilities.calibration.correct');
      if (all.kind === 'categorical' || correct.kind === 'categorical') throw new Error('grid expected');
      const bins = (xs: number[]) => {
        const out = new Array(12).fill(0);
        xs.forEach((x) => out[all.edges!.filter((e) => e < x).length]++);
        return out;
      };
      expect(all.counts).toEqual(bins(probs.map((pr) => Math.fround(Math.max(...pr)))));
      expect(correct.counts).toEqual(
        bins(probs.filter((pr, i) => classes[argmax(pr)] === truth[i]).map((pr) => Math.fround(Math.max(...pr)))),
      );
      p.dispose();
    } finally {
      await monitor.close();
    }
  });
});

describe('instrument', () => {
  test("records around the app's own session.run and returns its outputs untouched", async () => {
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(buildClassifier(churnClassifier), { executionProviders: ['wasm'] });
    const monitored = await instrument(session, {
      modelId: freshModelId('inst'),
      modelVersion: '2',
      window: ONE_WINDOW,
      features: ['age', 'usage', 'tickets', 'trend'],
    });
    try {
      const rows = featureRows(12, 5);
      const out = await monitored.run({ input: new ort.Tensor('float32', rows.slice(), [12, 4]) });
      const bare = await session.run({ input: new ort.Tensor('float32', rows.slice(), [12, 4]) });
      expect(Array.from(out.probabilities.data as Float32Array)).toEqual(Array.from(bare.probabilities.data as Float32Array));
      const id = monitored.predictionIdOf(out);
      expect(id).toBeTypeOf('string');
      expect(monitored.feedback(id!, Array(12).fill(2))).toBe(true); // class indices work too
      await expect(monitored.run({ input: new ort.Tensor('float32', new Float32Array(3), [1, 3]) })).rejects.toThrow();
      await monitored.flush();
      const [entry] = await monitored.outbox();
      const p = await decode(entry.bytes);
      expect(p.summary('age').count).toBe(12);
      expect(p.summary('feedback.probabilities.confusion').count).toBe(12);
      const failures = p.summary('health.failure');
      if (failures.kind !== 'categorical') throw new Error('categorical expected');
      expect(failures.items.find((i) => i.value === 'input')?.count).toBe(1);
      p.dispose();
    } finally {
      await monitored.close();
      await session.release();
    }
  });
});
