// The column names the edge runtime records, built and read back through the core's one module:
// every column of a real plan parses to the role that built it, and names that only look like
// an output's stay inputs.
import { describe, expect, it } from 'vitest';
import { columnName, HEALTH, parseColumn } from '../../src/core/columns.ts';
import { resolveOptions } from '../../src/edge/options.ts';
import { buildPlan } from '../../src/edge/schema.ts';

describe('column names', () => {
  const plan = buildPlan(
    [{ name: 'input', type: 'float32', shape: ['batch', 3] }],
    [{ name: 'probabilities', type: 'float32', shape: ['batch', 2] }],
    resolveOptions({ modelId: 'm', modelVersion: '1', features: ['age', 'x.confidence', 'score.y'], classes: ['stay', 'le.ave'] }),
    null,
  );
  const names = new Set(plan.columns.map((c) => c.name));

  it('reads back every column a classifier plan records as the role it was built for', () => {
    const roles = Object.fromEntries([...names].map((n) => [n, parseColumn(n, names)]));
    expect(roles).toEqual({
      age: { group: 'input' },
      'x.confidence': { group: 'input' },
      'score.y': { group: 'input' },
      [columnName.predicted('probabilities')]: { group: 'output', output: 'probabilities', part: 'predicted' },
      [columnName.confidence('probabilities')]: { group: 'output', output: 'probabilities', part: 'confidence' },
      [columnName.score('probabilities', 'stay')]: { group: 'output', output: 'probabilities', part: 'score', cls: 'stay' },
      [columnName.score('probabilities', 'le.ave')]: { group: 'output', output: 'probabilities', part: 'score', cls: 'le.ave' },
      [columnName.confusion('probabilities')]: { group: 'feedback', output: 'probabilities', part: 'confusion' },
      ...Object.fromEntries(
        ['stay', 'le.ave'].flatMap((c) =>
          ['stay', 'le.ave'].map((l) => [
            columnName.labelledScore('probabilities', c, l),
            { group: 'feedback', output: 'probabilities', part: 'score', cls: c, label: l },
          ]),
        ),
      ),
      [columnName.calibrationAll('probabilities')]: { group: 'feedback', output: 'probabilities', part: 'calibration', which: 'all' },
      [columnName.calibrationCorrect('probabilities')]: {
        group: 'feedback',
        output: 'probabilities',
        part: 'calibration',
        which: 'correct',
      },
      [HEALTH.latency]: { group: 'health', metric: 'latency' },
      [HEALTH.failure]: { group: 'health', metric: 'failure' },
      [HEALTH.provider]: { group: 'health', metric: 'provider' },
    });
  });

  it('takes a name for an output only where the version has that output', () => {
    expect(parseColumn('x.confidence')).toEqual({ group: 'output', output: 'x', part: 'confidence' });
    expect(parseColumn('x.confidence', new Set(['x.confidence']))).toEqual({ group: 'input' });
    expect(parseColumn(columnName.channel('image', 3))).toEqual({ group: 'input' });
  });
});
