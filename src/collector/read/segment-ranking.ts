// Which segment: the segments of a model version ranked by their part in a column's drift and
// in an accuracy drop. A segment's contribution is what leaving it out changes — the core's
// Jensen–Shannon distance to the baseline of all traffic minus that of all traffic but the
// segment (both kinds of column have it, on the same 0..1 scale), and the accuracy of all
// traffic but the segment minus that of all traffic — so a small segment that shifted a lot and
// a large one that shifted a little are put on one scale: their effect on what the on-call
// engineer sees. Every figure is the core's, on merges of the stored pieces. Only segments of at
// least k devices are listed, and a figure of the rest needs k devices too.
import type { RankedSegment, SegmentRankingResponse as SegmentRanking } from 'edgewatch/read-api';
import { driftOptions, type CollectorOptions } from '../config.ts';
import type { Core, Profile } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { MIN_LABELLED } from '../alerts/series.ts';
import { DAILY, fold, params, RAW, ROLLED, type Piece, type Selection } from './aggregate.ts';
import { outputsOf } from './outputs.ts';
import { canonicalSegment } from './segments.ts';
import { UPLOAD_DEVICES, UPLOAD_NOISE } from './upload-sql.ts';

export type { RankedSegment, SegmentRanking };

type SegmentPiece = Piece & { segment: Record<string, string> };

async function piecesWithSegments(db: Queryable, s: Selection): Promise<SegmentPiece[]> {
  return db.query<SegmentPiece>(
    `select segment, payload, ${UPLOAD_DEVICES} as devices, 1 as uploads, rows, window_start as t,
            ${UPLOAD_NOISE} as noise
     from uploads where ${RAW}
     union all select segment, payload, devices, uploads, rows, hour as t, noise from rollups where ${ROLLED}
     union all select segment, payload, devices, uploads, rows, day as t, noise from daily_rollups where ${DAILY}`,
    params(s),
  );
}

export async function rankSegments(
  db: Queryable,
  core: Core,
  options: CollectorOptions,
  baseline: Profile | null,
  s: Selection & { column?: string; output?: string; by?: string; limit?: number },
): Promise<SegmentRanking> {
  const k = options.kAnonymity;
  const pieces = await piecesWithSegments(db, s);
  const keyOf = (p: SegmentPiece) =>
    s.by ? (p.segment[s.by] === undefined ? null : JSON.stringify({ [s.by]: p.segment[s.by] })) : canonicalSegment(p.segment);
  const groups = new Map<string, SegmentPiece[]>();
  for (const p of pieces) {
    const key = keyOf(p);
    if (key === null || key === '{}') continue;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const measure = (ps: Piece[]) => {
    const agg = fold(core, k, ps);
    if (agg.suppressed) return null;
    try {
      const drift = s.column && baseline ? (core.compare(baseline, agg.profile, driftOptions(options)).columns[s.column] ?? null) : null;
      const o = s.output ? outputsOf(core, agg.profile, agg.noise)[s.output] : undefined;
      const enough = o?.labelled !== undefined && o.labelled >= MIN_LABELLED;
      return {
        devices: agg.devices,
        rows: agg.rows,
        drift,
        accuracy: enough ? (o!.accuracy ?? null) : null,
        labelled: o?.labelled ?? null,
      };
    } finally {
      agg.profile.dispose();
    }
  };
  const all = measure(pieces);
  const ranked: RankedSegment[] = [];
  for (const [key, mine] of groups) {
    const own = measure(mine);
    if (!own) continue; // fewer than k devices: not shown at all
    const rest = measure(pieces.filter((p) => keyOf(p) !== key));
    ranked.push({
      segment: JSON.parse(key),
      devices: own.devices,
      rows: own.rows,
      drift: own.drift,
      driftContribution: all?.drift && rest?.drift ? all.drift.js - rest.drift.js : null,
      accuracy: own.accuracy,
      labelled: own.labelled,
      accuracyContribution: all?.accuracy != null && rest?.accuracy != null ? rest.accuracy - all.accuracy : null,
    });
  }
  const score = (r: RankedSegment) => (s.column ? r.driftContribution : r.accuracyContribution) ?? -Infinity;
  ranked.sort((a, b) => score(b) - score(a) || b.devices - a.devices);
  return { column: s.column ?? null, output: s.output ?? null, k, all, segments: ranked.slice(0, s.limit ?? 50) };
}
