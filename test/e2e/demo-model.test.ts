// The demo's committed artifacts are what its script makes: the ONNX model retrains to the same
// bytes, runs in onnxruntime-web's wasm backend with the accuracy its model card states, and the
// baseline the demo sets covers exactly the columns the edge runtime records for it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { expect, test } from 'vitest';
import { loadWeather } from '../../demo/data/weather-file.ts';
import { CLASSES, featureRow, isHeldOutDay, isTrainingDay } from '../../demo/model/config.ts';
import { edgePlan } from '../../demo/model/edge-columns.ts';
import { buildBaseline } from '../../demo/server/baseline.ts';
import { argmax } from '../../demo/train/logistic-regression.ts';
import { scoreWithOnnx } from '../../demo/train/run-onnx.ts';
import { labelIndex, trainWeatherModel } from '../../demo/train/weather-model.ts';
import { loadCore } from '../../src/core/index.ts';

const file = (p: string) => fileURLToPath(new URL(`../../demo/model/${p}`, import.meta.url));

test('the committed model is what training makes, and runs in onnxruntime-web with the stated accuracy', async () => {
  const committed = new Uint8Array(await readFile(file('weather-classifier.onnx')));
  const card = JSON.parse(await readFile(file('model-card.json'), 'utf8')) as {
    accuracy: { heldOut: number; heldOutMajorityClass: number };
  };
  const days = await loadWeather();

  expect(new Uint8Array(trainWeatherModel(days.filter(isTrainingDay)).bytes)).toEqual(committed);

  const model = onnxProto.onnx.ModelProto.decode(committed);
  expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
  expect(new Set(model.graph!.node!.map((n) => n.opType))).toEqual(new Set(['Sub', 'Div', 'MatMul', 'Add', 'Softmax']));

  const heldOut = days.filter(isHeldOutDay);
  const scores = await scoreWithOnnx(committed, heldOut.map(featureRow), CLASSES.length);
  const right = scores.filter((s, i) => argmax(s) === labelIndex(heldOut[i])).length;
  expect(Number((right / heldOut.length).toFixed(4))).toBe(card.accuracy.heldOut);
  expect(right / heldOut.length).toBeGreaterThan(card.accuracy.heldOutMajorityClass + 0.3);
});

test("the demo's baseline has the edge runtime's columns and kinds, filled from the training rows", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'edgewatch-baseline-'));
  try {
    const core = await loadCore();
    const baseline = core.profileFromBytes(await buildBaseline(dir));
    try {
      const kinds = (cols: readonly { name: string; kind: string }[]) => cols.map((c) => `${c.name}:${c.kind}`).sort();
      expect(kinds(baseline.columns)).toEqual(kinds(edgePlan().columns));
      const training = (await loadWeather()).filter(isTrainingDay).length;
      for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind', 'probabilities.predicted', 'probabilities.score.sun']) {
        expect(baseline.summary(name).count).toBe(training);
      }
      expect(baseline.summary('health.latency_ms').count).toBe(0);
    } finally {
      baseline.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
