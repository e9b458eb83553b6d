// What the page, the training script and the server agree on about the demo model: its id and
// version at the collector, the feature order of its input tensor, its classes and tensor names.
import type { WeatherDay } from '../data/weather.ts';

export const MODEL_ID = 'seattle-weather';
export const MODEL_VERSION = '1.0.0';

/** Columns of the input tensor, in order; the edge runtime records them under these names. */
export const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;
export type Feature = (typeof FEATURES)[number];

/** Weather types, in the order of the model's output scores. */
export const CLASSES = ['drizzle', 'fog', 'rain', 'snow', 'sun'] as const;

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'probabilities';

/** Training rows: Seattle 2012–2013. Held out: Seattle 2014–2015. */
export const isTrainingDay = (d: WeatherDay) => d.location === 'Seattle' && d.year <= 2013;

/**
 * The canary: the same model retrained on Seattle and New York 2012–2013, served to part of the
 * devices (the demo's "Canary share") and compared with 1.0.0, its rollback target.
 */
export const CANARY_VERSION = '1.1.0';
export const isCanaryTrainingDay = (d: WeatherDay) => d.year <= 2013;

/** What each version was trained on and where its files are (demo/model/). */
export const VERSIONS = {
  [MODEL_VERSION]: {
    trainedOn: 'Seattle 2012-2013',
    isTraining: isTrainingDay,
    model: 'weather-classifier.onnx',
    card: 'model-card.json',
    rows: 'training-rows.csv',
  },
  [CANARY_VERSION]: {
    trainedOn: 'Seattle and New York 2012-2013',
    isTraining: isCanaryTrainingDay,
    model: 'weather-classifier-1.1.0.onnx',
    card: 'model-card-1.1.0.json',
    rows: 'training-rows-1.1.0.csv',
  },
} as const;
export type DemoVersion = keyof typeof VERSIONS;
export const isHeldOutDay = (d: WeatherDay) => d.location === 'Seattle' && d.year >= 2014;

export function featureRow(d: WeatherDay): number[] {
  return FEATURES.map((f) => d[f]);
}
