// Row counts within one device window: the columns the edge runtime records together (one
// table input's features, one image's channels, one classifier output, its feedback per label)
// count the same rows, and the decoder refuses an upload where one of them is short, naming it.
// Columns of different families may count differently, as the runtime records them.
import { describe, expect, test } from 'vitest';
import { CodecError, loadCore } from '../../src/core/index.ts';
import type { ColumnSpec } from '../../src/core/types.ts';
import { wireProfile, zeros, type WireColumn } from '../helpers/wire.ts';

const core = await loadCore();

const num = (name: string): ColumnSpec => ({ name, kind: 'numeric', center: 0 });
const cat = (name: string): ColumnSpec => ({ name, kind: 'categorical' });
const grid = (name: string): ColumnSpec => ({ name, kind: 'grid' });
const values = (n: number, from = 0) => Float64Array.from({ length: n }, (_, i) => ((from + i) * 0.37) % 1);

/** An upload of these columns, each recorded with its own number of values. */
function upload(columns: ColumnSpec[], counts: Record<string, number>): Uint8Array {
  const p = core.profile({ columns });
  try {
    for (const c of columns) {
      const n = counts[c.name] ?? 0;
      if (c.kind === 'categorical')
        p.recordLabels(
          c.name,
          Array.from({ length: n }, (_, i) => `k${i % 3}`),
        );
      else p.recordNumbers(c.name, values(n));
    }
    return p.toBytes();
  } finally {
    p.dispose();
  }
}

function refusal(bytes: Uint8Array): string {
  try {
    core.uploadFromBytes(bytes).dispose();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as Error).message;
  }
  return expect.unreachable('accepted') as never;
}

function accepted(bytes: Uint8Array): void {
  core.uploadFromBytes(bytes).dispose();
}

describe('row counts per family of columns', () => {
  test("one table input's features: a column one row short is refused, by name", () => {
    const cols = [num('x.0'), num('x.1'), num('x.2')];
    accepted(upload(cols, { 'x.0': 50, 'x.1': 50, 'x.2': 50 }));
    const why = refusal(upload(cols, { 'x.0': 50, 'x.1': 50, 'x.2': 49 }));
    expect(why).toMatch(/column 'x\.2' counts 49 rows, 'x\.0' 50/);
    expect(why).toMatch(/features of input x/);
    expect(why).not.toContain('\n');
    // A stored rollup is no device window: the same bytes decode as a profile.
    core.profileFromBytes(upload(cols, { 'x.0': 50, 'x.1': 50, 'x.2': 49 })).dispose();
  });

  test('missing values are rows: present + missing is what must agree', () => {
    const p = core.profile({ columns: [num('x.0'), num('x.1')] });
    p.recordRows([
      { 'x.0': 1, 'x.1': null },
      { 'x.0': null, 'x.1': 2 },
      { 'x.0': Number.NaN, 'x.1': 3 },
    ]);
    const bytes = p.toBytes();
    p.dispose();
    accepted(bytes);
  });

  test("one image's channels count the same values", () => {
    const cols = [num('img.channel0'), num('img.channel1'), num('img.channel2')];
    accepted(upload(cols, { 'img.channel0': 784, 'img.channel1': 784, 'img.channel2': 784 }));
    expect(refusal(upload(cols, { 'img.channel0': 784, 'img.channel1': 700, 'img.channel2': 784 }))).toMatch(
      /column 'img\.channel1' counts 700 rows, 'img\.channel0' 784: columns of the channels of input img/,
    );
  });

  test("one classifier output's predicted class, confidence and scores", () => {
    const cols = [cat('y.predicted'), grid('y.confidence'), grid('y.score.a'), grid('y.score.b')];
    accepted(upload(cols, { 'y.predicted': 20, 'y.confidence': 20, 'y.score.a': 20, 'y.score.b': 20 }));
    expect(refusal(upload(cols, { 'y.predicted': 20, 'y.confidence': 20, 'y.score.a': 20, 'y.score.b': 19 }))).toMatch(
      /column 'y\.score\.b' counts 19 rows, 'y\.predicted' 20: columns of output y/,
    );
    expect(refusal(upload(cols, { 'y.predicted': 20, 'y.confidence': 21, 'y.score.a': 20, 'y.score.b': 20 }))).toMatch(
      /'y\.confidence' counts 21/,
    );
    // Without its `.predicted` column, `y.confidence` is an app's own feature name: not compared.
    accepted(upload([num('z.confidence'), num('z.score.a')], { 'z.confidence': 3, 'z.score.a': 8 }));
  });

  test('feedback: one row per label given, and per label the same rows for every class', () => {
    const cols = [
      cat('y.predicted'),
      cat('feedback.y.confusion'),
      grid('feedback.y.calibration.all'),
      grid('feedback.y.calibration.correct'),
      grid('feedback.y.score.a.label.a'),
      grid('feedback.y.score.b.label.a'),
      grid('feedback.y.score.a.label.b'),
      grid('feedback.y.score.b.label.b'),
    ];
    const good = {
      'y.predicted': 40,
      'feedback.y.confusion': 9,
      'feedback.y.calibration.all': 9,
      'feedback.y.calibration.correct': 6,
      'feedback.y.score.a.label.a': 5,
      'feedback.y.score.b.label.a': 5,
      'feedback.y.score.a.label.b': 4,
      'feedback.y.score.b.label.b': 4,
    };
    // Labelled rows are fewer than predictions, the correct ones fewer still, labels differ.
    accepted(upload(cols, good));
    expect(refusal(upload(cols, { ...good, 'feedback.y.calibration.all': 8 }))).toMatch(
      /column 'feedback\.y\.calibration\.all' counts 8 rows, 'feedback\.y\.confusion' 9: columns of the labels of output y/,
    );
    expect(refusal(upload(cols, { ...good, 'feedback.y.score.b.label.b': 3 }))).toMatch(
      /column 'feedback\.y\.score\.b\.label\.b' counts 3 rows, 'feedback\.y\.score\.a\.label\.b' 4: columns of the rows of output y labelled b/,
    );
  });

  test('families count apart, and columns in none are not compared', () => {
    // Inputs per row, channels per pixel, an output per row, health per call, an app's own
    // feature names: every count differs, and the upload is valid.
    const cols = [
      num('x.0'),
      num('x.1'),
      num('img.channel0'),
      cat('y.predicted'),
      grid('y.confidence'),
      num('health.latency_ms'),
      cat('health.failure'),
      num('age'),
      num('income'),
    ];
    accepted(
      upload(cols, {
        'x.0': 10,
        'x.1': 10,
        'img.channel0': 7840,
        'y.predicted': 12,
        'y.confidence': 12,
        'health.latency_ms': 3,
        'health.failure': 1,
        age: 10,
        income: 9,
      }),
    );
  });

  test('noisy columns of a private-mode upload are not compared (their noise protects them)', () => {
    const noisy = (name: string, cells: number[]): WireColumn => ({
      kind: 'grid',
      name,
      noisy: true,
      count: cells.reduce((a, b) => a + b, 0),
      missing: 0,
      edges: [0, 1],
      cells,
      moments: { n: cells.reduce((a, b) => a + b, 0), sum: 0, mean: 0, m2: 0, min: NaN, max: NaN },
    });
    const dp = { privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale: 2 }) };
    accepted(wireProfile([noisy('x.0', [5, -2, 9]), noisy('x.1', [4, 1, 7]), zeros('x.2', 3)], dp));
  });
});
