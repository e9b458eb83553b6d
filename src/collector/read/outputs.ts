// Per model output in a merged aggregate: how confident the model is (the median of
// `<out>.confidence`, the top class's score per row) and, with feedback columns, how right it is
// (performance.ts). Both from the core: the median is the sketch's quantile, the performance
// statistics the engine's.
import { parseColumn } from 'edgewatch';
import type { OutputState } from 'edgewatch/read-api';
import type { Core, Profile } from '../core.ts';
import type { NoiseScales } from './aggregate.ts';
import { performanceOf } from './performance.ts';

export type { OutputState };

export function outputsOf(core: Core, p: Profile, noise: NoiseScales): Record<string, OutputState> {
  const names = new Set(p.columnNames);
  const out: Record<string, OutputState> = Object.create(null);
  for (const name of names) {
    // A classifier output has both `<out>.predicted` and `<out>.confidence` (docs/edge.md).
    const role = parseColumn(name, names);
    if (role.group !== 'output' || role.part !== 'confidence') continue;
    const o = role.output;
    const s = p.summary(name);
    if (s.kind === 'categorical' || s.count - s.missing <= 0) continue;
    const [median] = p.quantiles(name, [0.5]);
    if (Number.isFinite(median)) out[o] = { confidenceMedian: median };
  }
  for (const [o, perf] of Object.entries(performanceOf(core, p, noise).outputs)) {
    const auc: Record<string, number | null> = Object.create(null);
    for (const [c, x] of Object.entries(perf.classes)) auc[c] = x.auc;
    out[o] = { ...out[o], labelled: perf.labelled, accuracy: perf.accuracy, ece: perf.calibration?.ece ?? null, auc };
  }
  return out;
}
