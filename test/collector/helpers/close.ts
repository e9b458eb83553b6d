// Deep comparison where floating-point numbers may differ in their last bits: merging partial
// sums (Chan's update) rounds differently from one pass over the same rows. Integers, strings,
// booleans, nulls and structure must match exactly.
import { expect } from 'vitest';

export function expectClose(actual: unknown, expected: unknown, path = '$', rel = 1e-9): void {
  if (typeof expected === 'number' && typeof actual === 'number' && !(Number.isInteger(expected) && Number.isInteger(actual))) {
    const tol = rel * Math.max(1, Math.abs(expected));
    if (!(Math.abs(actual - expected) <= tol)) expect.fail(`${path}: ${actual} is not within ${tol} of ${expected}`);
    return;
  }
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    expect(Object.keys(actual).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) {
      expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`, rel);
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}
