// Trains the demo model's versions and writes everything the demo needs from each:
//   demo/model/weather-classifier.onnx  the model (standardization inside the graph)
//   demo/model/model-card.json          features, classes, training statistics, accuracy
//   demo/model/training-rows.csv        the training rows with the model's outputs, named as the
//                                       edge runtime records them: the baseline's source
// and the same three files, suffixed -1.1.0, for the canary retrained with New York.
// Run: node --import tsx demo/train/train.ts
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WeatherDay } from '../data/weather.ts';
import { loadWeather } from '../data/weather-file.ts';
import { CLASSES, FEATURES, featureRow, isHeldOutDay, MODEL_ID, VERSIONS, type DemoVersion } from '../model/config.ts';
import { outputColumns } from '../model/edge-columns.ts';
import { argmax, softmaxScores } from './logistic-regression.ts';
import { scoreWithOnnx } from './run-onnx.ts';
import { labelIndex, trainWeatherModel } from './weather-model.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function accuracy(predicted: number[], days: WeatherDay[]): number {
  return predicted.filter((p, i) => p === labelIndex(days[i])).length / days.length;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

async function trainVersion(version: DemoVersion, days: WeatherDay[]) {
  const spec = VERSIONS[version];
  const MODEL_FILE = here(`../model/${spec.model}`);
  const CARD_FILE = here(`../model/${spec.card}`);
  const ROWS_FILE = here(`../model/${spec.rows}`);
  const train = days.filter(spec.isTraining);
  const heldOut = days.filter(isHeldOutDay);
  const newYork = days.filter((d) => d.location === 'New York' && d.year >= 2014);

  const { model, bytes } = trainWeatherModel(train, spec.trainedOn);

  // The exported model, run by onnxruntime-web, must agree with the trained weights.
  const onnxScores = await scoreWithOnnx(bytes, train.map(featureRow), CLASSES.length);
  const worst = Math.max(...onnxScores.flatMap((s, i) => softmaxScores(model, featureRow(train[i])).map((p, c) => Math.abs(p - s[c]))));
  if (!(worst < 1e-4)) throw new Error(`the ONNX model disagrees with the trained weights by ${worst}`);

  const predict = (set: WeatherDay[]) => set.map((d) => argmax(softmaxScores(model, featureRow(d))));
  const majority = argmax(CLASSES.map((_, c) => train.filter((d) => labelIndex(d) === c).length));
  const result = {
    train: round(accuracy(predict(train), train)),
    heldOut: round(accuracy(predict(heldOut), heldOut)),
    heldOutMajorityClass: round(
      accuracy(
        heldOut.map(() => majority),
        heldOut,
      ),
    ),
    newYork: round(accuracy(predict(newYork), newYork)),
  };

  const card = {
    model: MODEL_ID,
    version,
    kind: 'multinomial logistic regression (softmax), standardization inside the graph',
    data: 'vega-datasets weather.csv',
    features: FEATURES,
    classes: CLASSES,
    trainingRows: { filter: spec.trainedOn, count: train.length },
    heldOutRows: { filter: 'Seattle 2014-2015', count: heldOut.length },
    standardization: { mean: model.mean.map((x) => round(x, 6)), std: model.std.map((x) => round(x, 6)) },
    accuracy: result,
  };

  // The baseline's rows: raw features (what the device feeds the model) and the model's outputs
  // as onnxruntime-web computes them, under the edge runtime's column names.
  const out = outputColumns();
  const header = [...FEATURES, out.predicted, out.confidence, ...out.scores];
  const lines = train.map((d, i) => {
    const s = onnxScores[i];
    const best = argmax(s);
    return [...featureRow(d), CLASSES[best], s[best], ...s].join(',');
  });

  await writeFile(MODEL_FILE, bytes);
  await writeFile(CARD_FILE, `${JSON.stringify(card, null, 2)}\n`);
  await writeFile(ROWS_FILE, `${[header.join(','), ...lines].join('\n')}\n`);
  console.log(`${version}: trained on ${train.length} days (${spec.trainedOn})`);
  console.log(
    `accuracy: train ${pct(result.train)}, held out (Seattle 2014-2015) ${pct(result.heldOut)} ` +
      `(majority class: ${pct(result.heldOutMajorityClass)}), New York 2014-2015 ${pct(result.newYork)}`,
  );
  console.log(`wrote ${MODEL_FILE} (${bytes.byteLength} bytes), ${CARD_FILE}, ${ROWS_FILE}`);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

const days = await loadWeather();
for (const version of Object.keys(VERSIONS) as DemoVersion[]) await trainVersion(version, days);
