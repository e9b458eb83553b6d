// Reads a column summary from the layout assembly/index.ts `column_summary` writes.
import type { CategoricalSummary, ColumnSummary, NumericSummary } from './types.ts';
import { ResultReader } from './engine.ts';

const KIND_NUMERIC = 1;
const KIND_CATEGORICAL = 3;
const MODES = ['exact', 'sketch', 'vocabulary'] as const;

export function readSummary(name: string, data: Uint8Array): ColumnSummary {
  const r = new ResultReader(data);
  const kind = r.f64();
  const [count, missing, nan, posInf, negInf, noisy] = r.f64s(6);
  const counters = { count, missing, nan, posInf, negInf };
  if (kind === KIND_CATEGORICAL) {
    const mode = MODES[r.f64()];
    const errorBound = r.f64();
    const distinct = r.f64();
    const n = r.f64();
    const items: { value: string; count: number }[] = [];
    for (let i = 0; i < n; i++) {
      const c = r.f64();
      items.push({ value: r.str(), count: c });
    }
    items.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    const out: CategoricalSummary = { name, kind: 'categorical', ...counters, mode, errorBound, distinct, items };
    if (noisy) out.noisy = true;
    return out;
  }
  const [finite, sum, mean, variance, std, min, max] = r.f64s(7);
  const out: NumericSummary = {
    name,
    kind: kind === KIND_NUMERIC ? 'numeric' : 'grid',
    ...counters,
    finite,
    sum,
    mean,
    variance,
    std,
    min,
    max,
  };
  if (noisy) out.noisy = true;
  if (kind === KIND_NUMERIC) {
    out.scale = r.f64();
    out.center = r.f64();
    out.relativeError = r.f64();
    out.zeroCount = r.f64();
    const posLo = r.f64();
    out.positive = { offset: posLo, counts: r.f64s(r.f64()) };
    const negLo = r.f64();
    out.negative = { offset: negLo, counts: r.f64s(r.f64()) };
    const nExact = r.f64();
    if (nExact >= 0) {
      const flat = r.f64s(2 * nExact);
      out.exact = Array.from({ length: nExact }, (_, i) => ({ value: flat[2 * i], count: flat[2 * i + 1] }));
    }
  } else {
    const nEdges = r.f64();
    out.edges = r.f64s(nEdges);
    out.counts = r.f64s(nEdges + 1);
  }
  return out;
}
