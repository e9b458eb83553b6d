// The demo model from its training days: multinomial logistic regression on the four
// measurements, exported to ONNX. Deterministic, so the committed model can be checked against a
// fresh run.
import type { WeatherDay } from '../data/weather.ts';
import { CLASSES, FEATURES, featureRow, INPUT_NAME, OUTPUT_NAME } from '../model/config.ts';
import { buildOnnx, type LinearSoftmaxModel } from '../model/onnx-builder.ts';
import { trainLogisticRegression } from './logistic-regression.ts';

export function labelIndex(d: WeatherDay): number {
  const i = (CLASSES as readonly string[]).indexOf(d.weather);
  if (i < 0) throw new Error(`unknown weather type "${d.weather}" on ${d.date}`);
  return i;
}

export function trainWeatherModel(train: WeatherDay[], trainedOn = 'Seattle 2012-2013'): { model: LinearSoftmaxModel; bytes: Uint8Array } {
  const model = trainLogisticRegression(train.map(featureRow), train.map(labelIndex), CLASSES.length);
  const bytes = buildOnnx(model, {
    input: INPUT_NAME,
    output: OUTPUT_NAME,
    description: `Weather type (${CLASSES.join(', ')}) from ${FEATURES.join(', ')}; multinomial logistic regression trained on ${trainedOn} (vega-datasets weather.csv).`,
  });
  return { model, bytes };
}
