// The segments behind an incident: for each feature among its signals (at most five), the
// segments of k devices ranked by their contribution to that column's drift, over the window
// the column's first signal was measured on — the "where" of what changed.
import { parseColumn } from 'edgewatch';
import type { CollectorContext } from '../context.ts';
import { loadBaseline } from '../read/baselines.ts';
import { rankSegments, type RankedSegment } from '../read/segment-ranking.ts';
import type { Incident } from './incident-store.ts';

export type IncidentSegments = Record<string, RankedSegment[]>;

const MAX_COLUMNS = 5;
const TOP = 5;

export async function incidentSegments(
  ctx: Pick<CollectorContext, 'db' | 'core' | 'options'>,
  projectId: number,
  inc: Incident,
): Promise<IncidentSegments> {
  const firsts = new Map<string, { from: number; to: number }>();
  for (const s of inc.signals) {
    if (!s.column || !s.window || s.statistic === 'no_data' || parseColumn(s.column).group === 'health' || firsts.has(s.column)) continue;
    firsts.set(s.column, s.window);
  }
  if (firsts.size === 0) return {};
  const baseline = await loadBaseline(ctx.db, ctx.core, projectId, inc.model, inc.version);
  if (!baseline) return {};
  const out: IncidentSegments = {};
  try {
    for (const [column, w] of [...firsts].slice(0, MAX_COLUMNS)) {
      const r = await rankSegments(ctx.db, ctx.core, ctx.options, baseline, {
        projectId,
        model: inc.model,
        version: inc.version,
        from: w.from,
        to: w.to,
        column,
        limit: TOP,
      });
      out[column] = r.segments;
    }
  } finally {
    baseline.dispose();
  }
  return out;
}
