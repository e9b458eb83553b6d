// Model performance from feedback columns: ROC AUC from per-class score grids, calibration error
// from confidence grids, accuracy/precision/recall from a confusion matrix, and error bars for
// counts perturbed by privacy noise. Noisy cells can be negative; every statistic here reads a
// cell as max(cell, 0), the same clamp the collector applies when it returns counts.
import { FixedGrid } from './grid';
import { Writer } from './codec';
import { fail } from './errors';

// @ts-ignore: decorator
@inline
function clamped(v: i64): f64 {
  return v > 0 ? <f64>v : 0;
}

/**
 * One-vs-rest ROC AUC from grids on the same edges: `pos` holds the class's scores for rows whose
 * true label is the class, `negs` its scores for rows of each other label (summed bin-wise: the
 * negatives). AUC = P(S+ > S−) + ½·P(S+ = S−) where "=" means "in the same bin": within a bin
 * the order is unknown, so ties count half (the Mann–Whitney statistic of the binned scores).
 * Writes auc, positives, negatives.
 */
export function rocAuc(pos: FixedGrid, negs: Array<FixedGrid>, w: Writer): bool {
  for (let j = 0; j < negs.length; j++) {
    if (!pos.sameEdges(negs[j])) {
      fail('ROC AUC needs grids on the same edges');
      return false;
    }
  }
  let below: f64 = 0; // negatives in bins strictly below the current one
  let wins: f64 = 0;
  let nPos: f64 = 0;
  for (let i = 0; i < pos.counts.length; i++) {
    const p = clamped(pos.counts[i]);
    let n: f64 = 0;
    for (let j = 0; j < negs.length; j++) n += clamped(negs[j].counts[i]);
    wins += p * (below + 0.5 * n);
    below += n;
    nPos += p;
  }
  const nNeg = below;
  w.f64(nPos > 0 && nNeg > 0 ? wins / (nPos * nNeg) : NaN);
  w.f64(nPos);
  w.f64(nNeg);
  return true;
}

/**
 * Expected calibration error from two grids on the same edges: `all` holds the confidence of every
 * labelled row, `correct` that of the correctly predicted ones. ECE = Σ_i (n_i/N)·|acc_i − conf_i|
 * with acc_i = correct_i / all_i and conf_i the bin's midpoint (the rows' mean confidence is not
 * recorded; with ten bins the midpoint is off by at most 0.05). The outer bins (−∞, e0] and
 * (e_last, ∞) have no midpoint: they take their finite edge, which for confidences on 0..1 edges
 * is the only value they can hold. Writes ece, N, bins, then per bin: n_i, correct_i, acc_i,
 * conf_i (acc_i NaN for an empty bin).
 */
export function calibration(all: FixedGrid, correct: FixedGrid, w: Writer): bool {
  if (!all.sameEdges(correct)) {
    fail('calibration needs two grids on the same edges');
    return false;
  }
  const e = all.edges;
  const bins = all.counts.length;
  let total: f64 = 0;
  for (let i = 0; i < bins; i++) total += clamped(all.counts[i]);
  let ece: f64 = 0;
  const per = new Writer();
  for (let i = 0; i < bins; i++) {
    const n = clamped(all.counts[i]);
    // Noise can make correct exceed all; accuracy stays a proportion.
    const c = Math.min(clamped(correct.counts[i]), n);
    const conf = i == 0 ? e[0] : i == bins - 1 ? e[e.length - 1] : (e[i - 1] + e[i]) / 2;
    const acc = n > 0 ? c / n : NaN;
    if (n > 0) ece += (n / total) * Math.abs(acc - conf);
    per.f64(n);
    per.f64(c);
    per.f64(acc);
    per.f64(conf);
  }
  w.f64(total > 0 ? ece : NaN);
  w.f64(total);
  w.f64(<f64>bins);
  w.ensure(per.pos);
  memory.copy(changetype<usize>(w.buf) + w.pos, changetype<usize>(per.buf), per.pos);
  w.pos += per.pos;
  return true;
}

/**
 * From a k×k confusion matrix (row-major f64s: row = true label, column = predicted): accuracy and
 * total, then per class: precision (TP / predicted), recall (TP / support), support, predicted.
 * A ratio over nothing is NaN, never 0: "no rows" is not "always wrong".
 */
export function confusionMetrics(ptr: usize, k: i32, w: Writer): void {
  const m = new StaticArray<f64>(k * k);
  for (let i = 0; i < k * k; i++) {
    const v = load<f64>(ptr + (<usize>i << 3));
    m[i] = v > 0 ? v : 0;
  }
  let total: f64 = 0;
  let diag: f64 = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) total += m[i * k + j];
    diag += m[i * k + i];
  }
  w.f64(total > 0 ? diag / total : NaN);
  w.f64(total);
  for (let c = 0; c < k; c++) {
    let support: f64 = 0;
    let predicted: f64 = 0;
    for (let j = 0; j < k; j++) {
      support += m[c * k + j];
      predicted += m[j * k + c];
    }
    const tp = m[c * k + c];
    w.f64(predicted > 0 ? tp / predicted : NaN);
    w.f64(support > 0 ? tp / support : NaN);
    w.f64(support);
    w.f64(predicted);
  }
}

/** Variance of one two-sided geometric draw of scale b: 2q/(1−q)² with q = e^(−1/b). */
export function noiseVariance(b: f64): f64 {
  if (!(b > 0) || !isFinite(b)) return NaN;
  const q = Math.exp(-1.0 / b);
  const d = 1 - q;
  return (2 * q) / (d * d);
}

/**
 * Error bar of a merged cell: the sum over uploads of independent draws, `uploads[j]` of them at
 * scale `scales[j]`. Writes σ and the 95% half-width 1.96·σ: a normal approximation, close for
 * sums of several draws; one draw alone is Laplace-like, whose ±1.96σ interval covers ~94%.
 */
export function noiseError(scales: usize, uploads: usize, n: i32, w: Writer): void {
  let v: f64 = 0;
  for (let j = 0; j < n; j++) {
    v += load<f64>(uploads + (<usize>j << 3)) * noiseVariance(load<f64>(scales + (<usize>j << 3)));
  }
  const sd = Math.sqrt(v);
  w.f64(sd);
  w.f64(1.96 * sd);
}
