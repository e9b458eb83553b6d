// Canary comparison: a model version's live sketches against another version's (the stable one,
// by default its rollback target) over the same range and segment — not against the training
// baseline. The core compares the two merged aggregates column by column (the stable version in
// the baseline's place); latency quantiles, failure rates and accuracy come from the same
// readers as everywhere else. The verdict is a rule over those figures, so an automated rollout
// can poll it:
//   hold      either version has fewer than k devices (or no upload) in the range; or the
//             inputs differ between the two (the traffic split is not comparable)
//   rollback  the canary fails more calls (+1 point), is slower (p99 +20 % and the core marks
//             the latency distributions apart), or is less accurate (−2 points, 100 labelled
//             rows on each side)
//   promote   none of the above
// Prediction columns that shift are evidence, not a verdict: a retrained model is meant to
// predict differently; its accuracy decides.
import { groupOf, HEALTH, type ColumnDrift } from 'edgewatch';
import type { CanaryReport, VersionSide } from 'edgewatch/read-api';
import { driftOptions, type CollectorOptions } from '../config.ts';
import type { Core } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { aggregate, suppressedCounts } from './aggregate.ts';
import { healthOf } from './health.ts';
import { outputsOf } from './outputs.ts';
import { MIN_LABELLED } from '../alerts/series.ts';
import { yieldToLoop } from '../yield.ts';

export type Verdict = 'promote' | 'hold' | 'rollback';

/** How much worse the canary may be before the verdict is rollback. */
export const CANARY_TOLERANCE = { failureRate: 0.01, latencyP99Ratio: 1.2, accuracy: 0.02 } as const;

export type { CanaryReport, VersionSide };

export async function compareVersions(
  db: Queryable,
  core: Core,
  options: CollectorOptions,
  s: { projectId: number; model: string; canary: string; stable: string; from: number; to: number; segment?: Record<string, string> },
): Promise<CanaryReport> {
  const k = options.kAnonymity;
  const where = { projectId: s.projectId, model: s.model, from: s.from, to: s.to, ...(s.segment ? { segment: s.segment } : {}) };
  const a = await aggregate(db, core, k, { ...where, version: s.canary });
  const b = await aggregate(db, core, k, { ...where, version: s.stable });
  const side = (version: string, agg: typeof a): VersionSide =>
    agg.suppressed
      ? { version, suppressed: true, ...suppressedCounts(agg) }
      : { version, devices: agg.devices, uploads: agg.uploads, rows: agg.rows, suppressed: false };
  const head = { model: s.model, from: s.from, to: s.to, segment: s.segment ?? null, k };
  try {
    if (a.suppressed || b.suppressed) {
      const why = (v: string, agg: typeof a) =>
        agg.suppressed && agg.empty ? `${v}: no data in the range` : `${v}: fewer than ${k} devices in the range`;
      return {
        ...head,
        canary: side(s.canary, a),
        stable: side(s.stable, b),
        verdict: 'hold',
        reasons: [...(a.suppressed ? [why(s.canary, a)] : []), ...(b.suppressed ? [why(s.stable, b)] : [])],
      };
    }
    const fill = (version: string, agg: typeof a & { suppressed: false }): VersionSide => {
      const out: VersionSide = {
        ...side(version, agg),
        health: healthOf(agg.profile) ?? undefined,
        outputs: outputsOf(core, agg.profile, agg.noise),
      };
      if (agg.profile.columnNames.includes(HEALTH.latency)) {
        const [p50, p90, p99] = agg.profile.quantiles(HEALTH.latency, [0.5, 0.9, 0.99]);
        if ([p50, p90, p99].every(Number.isFinite)) out.latency = { '0.5': p50, '0.9': p90, '0.99': p99 };
      }
      return out;
    };
    const canary = fill(s.canary, a);
    const stable = fill(s.stable, b);
    const columns = (await core.compareInSlices(b.profile, a.profile, driftOptions(options), yieldToLoop)).columns;
    const outputs = Object.keys({ ...canary.outputs, ...stable.outputs });
    const drifted = Object.entries(columns)
      .filter(([, d]) => d.drifted.drifted)
      .map(([c]) => c);
    const driftedPredictions = drifted.filter((c) => groupOf(c, outputs) === 'outputs');
    const driftedInputs = drifted.filter((c) => groupOf(c, outputs) === 'inputs');
    const { verdict, reasons } = decide(canary, stable, columns[HEALTH.latency], driftedInputs, driftedPredictions);
    return { ...head, canary, stable, verdict, reasons, columns, driftedInputs, driftedPredictions };
  } finally {
    if (!a.suppressed) a.profile.dispose();
    if (!b.suppressed) b.profile.dispose();
  }
}

function decide(
  canary: VersionSide,
  stable: VersionSide,
  latency: ColumnDrift | undefined,
  inputs: string[],
  predictions: string[],
): { verdict: Verdict; reasons: string[] } {
  const worse: string[] = [];
  const t = CANARY_TOLERANCE;
  const fc = canary.health?.failureRate;
  const fs = stable.health?.failureRate;
  if (fc != null && fs != null && fc > fs + t.failureRate) {
    worse.push(`failure rate ${pct(fc)} against ${pct(fs)} (more than ${pct(t.failureRate)} worse)`);
  }
  if (canary.latency && stable.latency && latency?.drifted.drifted && canary.latency['0.99'] > stable.latency['0.99'] * t.latencyP99Ratio) {
    worse.push(
      `latency p99 ${round(canary.latency['0.99'])} ms against ${round(stable.latency['0.99'])} ms (${latency.drifted.test} ${round(latency.drifted.value)})`,
    );
  }
  for (const [o, c] of Object.entries(canary.outputs ?? {})) {
    const st = stable.outputs?.[o];
    if (c.accuracy == null || st?.accuracy == null || (c.labelled ?? 0) < MIN_LABELLED || (st.labelled ?? 0) < MIN_LABELLED) continue;
    if (c.accuracy < st.accuracy - t.accuracy)
      worse.push(`${o} accuracy ${pct(c.accuracy)} against ${pct(st.accuracy)} (${c.labelled} and ${st.labelled} labelled rows)`);
  }
  const evidence = predictions.length ? [`predictions shifted: ${predictions.join(', ')}`] : [];
  if (worse.length) return { verdict: 'rollback', reasons: [...worse, ...evidence] };
  if (inputs.length) {
    return {
      verdict: 'hold',
      reasons: [`inputs differ between the versions (${inputs.join(', ')}): the traffic split is not comparable`, ...evidence],
    };
  }
  return { verdict: 'promote', reasons: [`no worse than ${stable.version} on failures, latency and accuracy`, ...evidence] };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const round = (x: number) => Number(x.toPrecision(4));
