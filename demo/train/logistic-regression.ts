// Multinomial logistic regression, trained by full-batch gradient descent on the softmax
// cross-entropy with a small L2 penalty. Deterministic: zero start, fixed steps, no sampling.
import type { LinearSoftmaxModel } from '../model/onnx-builder.ts';

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
}

/** Means and (population) standard deviations of each column of `x`. */
export function standardization(x: number[][]): { mean: number[]; std: number[] } {
  const f = x[0].length;
  const mean = Array.from({ length: f }, (_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const std = mean.map((m, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - m) ** 2, 0) / x.length) || 1);
  return { mean, std };
}

export function softmaxScores(m: LinearSoftmaxModel, row: readonly number[]): number[] {
  const logits = m.bias.slice();
  for (let j = 0; j < row.length; j++) {
    const z = (row[j] - m.mean[j]) / m.std[j];
    for (let c = 0; c < logits.length; c++) logits[c] += z * m.weights[j][c];
  }
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Trains on raw rows `x` and class indices `y` (0..classes−1). */
export function trainLogisticRegression(x: number[][], y: number[], classes: number, o: TrainOptions = {}): LinearSoftmaxModel {
  const { epochs = 4000, learningRate = 0.5, l2 = 1e-3 } = o;
  const { mean, std } = standardization(x);
  const f = mean.length;
  const model: LinearSoftmaxModel = {
    mean,
    std,
    weights: Array.from({ length: f }, () => new Array(classes).fill(0)),
    bias: new Array(classes).fill(0),
  };
  const z = x.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
  const n = x.length;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gw = Array.from({ length: f }, () => new Array(classes).fill(0));
    const gb = new Array(classes).fill(0);
    for (let i = 0; i < n; i++) {
      const p = softmaxScores({ ...model, mean: new Array(f).fill(0), std: new Array(f).fill(1) }, z[i]);
      for (let c = 0; c < classes; c++) {
        const d = p[c] - (y[i] === c ? 1 : 0);
        gb[c] += d;
        for (let j = 0; j < f; j++) gw[j][c] += d * z[i][j];
      }
    }
    for (let c = 0; c < classes; c++) {
      model.bias[c] -= (learningRate * gb[c]) / n;
      for (let j = 0; j < f; j++) model.weights[j][c] -= learningRate * (gw[j][c] / n + l2 * model.weights[j][c]);
    }
  }
  return model;
}
