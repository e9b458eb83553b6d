// The columns the edge runtime records for the demo model, taken from the runtime's own plan
// (src/edge/schema.ts) for the model's input and output tensors. The baseline is built on exactly
// these names and kinds, so the collector compares like with like and accepts every upload.
import type { ColumnSpec } from '../../src/core/index.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { buildPlan, type Plan } from '../../src/edge/schema.ts';
import { CLASSES, FEATURES, INPUT_NAME, MODEL_ID, MODEL_VERSION, OUTPUT_NAME } from './config.ts';

export function edgePlan(): Plan {
  const options = resolveOptions({ modelId: MODEL_ID, modelVersion: MODEL_VERSION, features: [...FEATURES], classes: [...CLASSES] });
  return buildPlan(
    [{ name: INPUT_NAME, type: 'float32', shape: ['batch', FEATURES.length] }],
    [{ name: OUTPUT_NAME, type: 'float32', shape: ['batch', CLASSES.length] }],
    options,
    null,
  );
}

/** The model's output columns: predicted class, confidence, one score per class. */
export function outputColumns(plan: Plan = edgePlan()): { predicted: string; confidence: string; scores: string[] } {
  const scores = plan.outputs.find((o) => o.kind === 'scores');
  if (!scores || scores.kind !== 'scores') throw new Error(`the edge runtime records no class scores for '${OUTPUT_NAME}'`);
  return { predicted: scores.predicted, confidence: scores.confidence, scores: scores.scores };
}

/** Every column of the plan, split into those training rows fill and those only devices fill (health, feedback). */
export function baselineSchema(plan: Plan = edgePlan()): { fromRows: ColumnSpec[]; deviceOnly: ColumnSpec[] } {
  const out = outputColumns(plan);
  const filled = new Set<string>([...FEATURES, out.predicted, out.confidence, ...out.scores]);
  return {
    fromRows: plan.columns.filter((c) => filled.has(c.name)),
    deviceOnly: plan.columns.filter((c) => !filled.has(c.name)),
  };
}
