// Performance statistics from feedback columns, against exact computations on the raw rows, and
// error bars for noisy counts against simulated noise.
import { describe, expect, test } from 'vitest';
import { calibration, classification, confusionMatrix, loadCore, noiseErrorBar, rocAuc } from '../../src/core/index.ts';
import { rng } from '../helpers/random.ts';

const core = await loadCore();

/** Right-closed bins as the grid defines them: the number of edges strictly below x. */
function binOf(edges: number[], x: number): number {
  let b = 0;
  while (b < edges.length && edges[b] < x) b++;
  return b;
}

/** Mann–Whitney: P(a > b) + ½·P(a = b) over all pairs, by brute force. */
function mannWhitney(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe('ROC AUC from score grids', () => {
  const edges = Array.from({ length: 21 }, (_, i) => i / 20);
  const r = rng(11);
  // Scores of class "a": higher for rows labelled a, two other labels with their own shapes.
  const raw = {
    a: Array.from({ length: 700 }, () => r() ** 0.6),
    b: Array.from({ length: 400 }, () => r() ** 1.4),
    c: Array.from({ length: 300 }, () => r() ** 2),
  };
  const p = core.profile({
    columns: (['a', 'b', 'c'] as const).map((l) => ({ name: `score.a.label.${l}`, kind: 'grid' as const, edges })),
  });
  for (const l of ['a', 'b', 'c'] as const) p.recordNumbers(`score.a.label.${l}`, raw[l]);
  const result = rocAuc(p, 'score.a.label.a', ['score.a.label.b', 'score.a.label.c']);
  const negatives = [...raw.b, ...raw.c];

  test('equals the Mann–Whitney statistic of the scores binned the same way', () => {
    const binned = mannWhitney(
      raw.a.map((x) => binOf(edges, x)),
      negatives.map((x) => binOf(edges, x)),
    );
    expect(result.positives).toBe(700);
    expect(result.negatives).toBe(700);
    expect(result.auc).toBeCloseTo(binned, 12);
  });

  test('is within the binning error of the exact AUC of the raw scores', () => {
    const exact = mannWhitney(raw.a, negatives);
    // Binning only changes pairs that share a bin, each by at most ½.
    let tied = 0;
    const nb = negatives.map((x) => binOf(edges, x));
    for (const a of raw.a) for (const b of nb) tied += binOf(edges, a) === b ? 1 : 0;
    const bound = (0.5 * tied) / (raw.a.length * negatives.length);
    expect(Math.abs(result.auc - exact)).toBeLessThanOrEqual(bound + 1e-12);
    expect(Math.abs(result.auc - exact)).toBeLessThan(0.01);
  });

  test('no negatives: NaN; grids on other edges are refused', () => {
    const q = core.profile({
      columns: [
        { name: 'pos', kind: 'grid', edges },
        { name: 'neg', kind: 'grid', edges },
        { name: 'other', kind: 'grid', edges: [0, 1] },
      ],
    });
    q.recordNumbers('pos', [0.2, 0.9]);
    expect(rocAuc(q, 'pos', ['neg']).auc).toBeNaN();
    expect(() => rocAuc(q, 'pos', ['other'])).toThrow(/same edges/);
    q.dispose();
  });
});

describe('calibration', () => {
  test('ECE and accuracy per bin equal the computation on the raw rows', () => {
    const edges = Array.from({ length: 11 }, (_, i) => i / 10);
    const r = rng(5);
    const conf = Array.from({ length: 2000 }, () => 0.3 + 0.7 * r());
    // An overconfident model: correct with probability conf² .
    const correct = conf.map((c) => r() < c * c);
    const p = core.profile({
      columns: [
        { name: 'all', kind: 'grid', edges },
        { name: 'correct', kind: 'grid', edges },
      ],
    });
    p.recordNumbers('all', conf);
    p.recordNumbers(
      'correct',
      conf.filter((_, i) => correct[i]),
    );
    const cal = calibration(p, 'all', p, 'correct');

    const n = new Array(12).fill(0);
    const k = new Array(12).fill(0);
    conf.forEach((c, i) => {
      n[binOf(edges, c)]++;
      if (correct[i]) k[binOf(edges, c)]++;
    });
    const mid = (b: number) => (b === 0 ? edges[0] : b === 11 ? edges[10] : (edges[b - 1] + edges[b]) / 2);
    let ece = 0;
    for (let b = 0; b < 12; b++) if (n[b]) ece += (n[b] / conf.length) * Math.abs(k[b] / n[b] - mid(b));
    expect(cal.total).toBe(2000);
    expect(cal.ece).toBeCloseTo(ece, 12);
    expect(cal.bins).toHaveLength(12);
    for (let b = 0; b < 12; b++) {
      expect(cal.bins[b].count).toBe(n[b]);
      expect(cal.bins[b].correct).toBe(k[b]);
      expect(cal.bins[b].confidence).toBeCloseTo(mid(b), 15);
      if (n[b]) expect(cal.bins[b].accuracy).toBeCloseTo(k[b] / n[b], 15);
      else expect(cal.bins[b].accuracy).toBeNaN();
    }
    p.dispose();
  });
});

describe('accuracy, precision and recall', () => {
  test('from a confusion column, equal to counting the raw pairs', () => {
    const classes = ['cat', 'dog', 'fox'];
    const r = rng(9);
    const pairs = Array.from({ length: 1500 }, () => {
      const t = Math.floor(r() * 3);
      const pr = r() < 0.7 ? t : Math.floor(r() * 3);
      return [classes[t], classes[pr]];
    });
    const vocabulary = classes.flatMap((t) => classes.map((q) => `${t}|${q}`));
    const p = core.profile({ columns: [{ name: 'confusion', kind: 'categorical', vocabulary }] });
    p.recordLabels(
      'confusion',
      pairs.map(([t, q]) => `${t}|${q}`),
    );
    const s = p.summary('confusion');
    if (s.kind !== 'categorical') throw new Error('kind');
    const { classes: cs, matrix } = confusionMatrix(s.items);
    const m = classification(core, cs, matrix);

    expect(cs).toEqual(classes);
    expect(m.total).toBe(1500);
    expect(m.accuracy).toBeCloseTo(pairs.filter(([t, q]) => t === q).length / 1500, 15);
    for (const c of classes) {
      const tp = pairs.filter(([t, q]) => t === c && q === c).length;
      const support = pairs.filter(([t]) => t === c).length;
      const predicted = pairs.filter(([, q]) => q === c).length;
      expect(m.classes[c]).toEqual({ precision: tp / predicted, recall: tp / support, support, predicted });
    }
    p.dispose();
  });

  test('a class never predicted has NaN precision; negative noisy cells count as 0', () => {
    const m = classification(
      core,
      ['a', 'b'],
      [
        [3, -2],
        [1, 0],
      ],
    );
    expect(m.total).toBe(4);
    expect(m.accuracy).toBe(0.75);
    expect(m.classes.b.precision).toBeNaN();
    expect(m.classes.b.recall).toBe(0);
    expect(m.classes.a).toEqual({ precision: 0.75, recall: 1, support: 3, predicted: 4 });
  });
});

describe('error bars for noisy counts', () => {
  test('σ is the square root of the summed variances 2q/(1−q)²', () => {
    const v = (b: number) => {
      const q = Math.exp(-1 / b);
      return (2 * q) / (1 - q) ** 2;
    };
    const e = noiseErrorBar(core, { '2': 3, '0.5': 4 });
    expect(e.sd).toBeCloseTo(Math.sqrt(3 * v(2) + 4 * v(0.5)), 12);
    expect(e.halfWidth95).toBeCloseTo(1.96 * e.sd, 12);
    expect(noiseErrorBar(core, {}).sd).toBe(0);
    expect(() => noiseErrorBar(core, { '-1': 2 })).toThrow(/positive/);
  });

  test('the 95% interval covers the true count in ~95% of simulated merged cells', () => {
    // Each trial merges 6 private uploads (scales 1, 1, 2, 2, 3, 4) of a known count.
    const scales = [1, 1, 2, 2, 3, 4];
    const uploads: Record<string, number> = {};
    for (const b of scales) uploads[b] = (uploads[b] ?? 0) + 1;
    const bar = noiseErrorBar(core, uploads);
    const edges = [0, 1];
    const trials = 4000;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const merged = core.profile({ columns: [{ name: 'g', kind: 'grid', edges }] });
      for (const b of scales) {
        const u = core.profile({ columns: [{ name: 'g', kind: 'grid', edges }] });
        u.recordNumbers('g', [0.5, 0.5, 0.5]);
        u.addNoise(b);
        merged.merge(u);
        u.dispose();
      }
      const s = merged.summary('g');
      if (s.kind === 'categorical') throw new Error('kind');
      if (Math.abs(s.counts![1] - 18) <= bar.halfWidth95) covered++;
      merged.dispose();
    }
    // Binomial sd of the coverage over 4000 trials is 0.0034; allow four of them and the
    // normal approximation's small bias.
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });
});
