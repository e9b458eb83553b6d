// Where each SLO of a model version stands at `now`: its good and total events over every
// burn-rate window and over its period, each window merged on its own under the k-anonymity
// rule (a window of fewer than k devices, or without events, has no figure). Events are the
// core's counts: timed calls at or below the latency threshold (the core's countAtMost), calls
// that did not fail (health.ts), labelled rows predicted right (the engine's accuracy times its
// labelled rows); calibration: the rows of the calibration grids less their ECE share (the
// error ratio is the core's ECE); for drift_free, the window's steps (DRIFT_STEPS of them, at least 5 min each)
// with k devices, good when the core's compare with the baseline marks no column drifted
// (read/drift.ts). Burn rate = error ratio / (1 − objective); budget left = 1 − error ratio over
// the period / (1 − objective), negative once overspent — ratios of those counts, as PromQL
// takes them from the exported events.
import type { CollectorOptions } from '../config.ts';
import type { Core, Profile } from '../core.ts';
import { spanMs } from '../eval-windows.ts';
import { driftOptions } from '../config.ts';
import { aggregate } from '../read/aggregate.ts';
import { HEALTH } from 'edgewatch';
import type { Events, SloStatus } from 'edgewatch/read-api';
import { loadBaseline } from '../read/baselines.ts';
import { driftTimeline } from '../read/drift.ts';
import { healthOf } from '../read/health.ts';
import { outputsOf } from '../read/outputs.ts';
import { performanceOf } from '../read/performance.ts';
import type { Queryable } from '../storage/db.ts';
import { BURN_ALERTS, BURN_WINDOWS, type StoredSlo } from './slos.ts';

/** A drift-free SLO counts at most this many steps per window, each at least DRIFT_STEP_MIN long. */
export const DRIFT_STEPS = 72;
const DRIFT_STEP_MIN = 5 * 60_000;

export type { Events, SloStatus };

export function appliesTo(slo: StoredSlo, v: { projectId: number; model: string; version: string }): boolean {
  return slo.projectId === v.projectId && slo.model === v.model && (slo.version === null || slo.version === v.version);
}

function eventsOf(core: Core, p: Profile, noise: Record<string, number>, slo: StoredSlo): { good: number; total: number } | null {
  if (slo.indicator === 'latency') {
    if (!p.columnNames.includes(HEALTH.latency)) return null;
    const s = p.summary(HEALTH.latency);
    const total = Math.max(0, s.count - s.missing);
    return total > 0 ? { good: Math.min(total, Math.max(0, p.countAtMost(HEALTH.latency, slo.threshold!))), total } : null;
  }
  if (slo.indicator === 'failure_rate') {
    const h = healthOf(p);
    return h && h.calls > 0 ? { good: Math.max(0, h.calls - h.failures), total: h.calls } : null;
  }
  if (slo.indicator === 'drift_free') return null; // counted over steps, in sloStatuses
  let good = 0;
  let total = 0;
  if (slo.indicator === 'calibration') {
    // ECE is the share of calibrated rows by which confidence misses accuracy, bin by bin: those
    // rows are the bad events, so the error ratio is the ECE itself (outputs pooled by rows).
    for (const o of Object.values(performanceOf(core, p, noise).outputs)) {
      const c = o.calibration;
      if (!c || c.ece == null || c.total <= 0) continue;
      good += c.total * (1 - c.ece);
      total += c.total;
    }
    return total > 0 ? { good, total } : null;
  }
  for (const o of Object.values(outputsOf(core, p, noise))) {
    if (!o.labelled || o.accuracy == null) continue;
    good += o.accuracy * o.labelled;
    total += o.labelled;
  }
  return total > 0 ? { good, total } : null;
}

export async function sloStatuses(
  db: Queryable,
  core: Core,
  options: CollectorOptions,
  v: { projectId: number; model: string; version: string },
  slos: StoredSlo[],
  now: number,
): Promise<Record<string, SloStatus>> {
  const mine = slos.filter((s) => appliesTo(s, v));
  if (mine.length === 0) return {};
  const names = [...new Set([...BURN_WINDOWS, ...mine.map((s) => s.period)])];
  const perWindow = new Map<string, Map<string, { good: number; total: number } | null>>();
  for (const w of names) {
    const agg = await aggregate(db, core, options.kAnonymity, { ...v, from: now - spanMs(w)!, to: now });
    const m = new Map<string, { good: number; total: number } | null>();
    if (!agg.suppressed) {
      try {
        for (const s of mine) m.set(s.name, eventsOf(core, agg.profile, agg.noise, s));
      } finally {
        agg.profile.dispose();
      }
    }
    perWindow.set(w, m);
  }
  if (mine.some((s) => s.indicator === 'drift_free')) {
    const baseline = await loadBaseline(db, core, v.projectId, v.model, v.version);
    try {
      for (const w of names) {
        const ms = spanMs(w)!;
        const step = Math.max(DRIFT_STEP_MIN, Math.ceil(ms / DRIFT_STEPS / 60_000) * 60_000);
        const points = baseline
          ? await driftTimeline(db, core, options.kAnonymity, baseline, { ...v, from: now - ms, to: now }, step, driftOptions(options))
          : [];
        const seen = points.filter((p) => !p.suppressed && (p.comparedColumns ?? 0) > 0);
        const e = seen.length ? { good: seen.filter((p) => p.driftedColumns === 0).length, total: seen.length } : null;
        for (const s of mine) if (s.indicator === 'drift_free') perWindow.get(w)!.set(s.name, e);
      }
    } finally {
      baseline?.dispose();
    }
  }
  const out: Record<string, SloStatus> = {};
  for (const s of mine) {
    const budget = 1 - s.objective;
    const at = (w: string): Events | null => {
      const e = perWindow.get(w)?.get(s.name) ?? null;
      if (!e) return null;
      const errorRatio = 1 - e.good / e.total;
      return { ...e, errorRatio, burnRate: errorRatio / budget };
    };
    const windows = Object.fromEntries(
      names.filter((w) => (BURN_WINDOWS as readonly string[]).includes(w) || w === s.period).map((w) => [w, at(w)]),
    );
    const period = windows[s.period];
    const burn: Record<string, number | null> = {};
    for (const [long, short] of BURN_ALERTS) {
      const a = windows[long];
      const b = windows[short];
      burn[`${long}/${short}`] = a && b ? Math.min(a.burnRate, b.burnRate) : null;
    }
    out[s.name] = {
      slo: s.name,
      indicator: s.indicator,
      objective: s.objective,
      threshold: s.threshold ?? null,
      period: s.period,
      owner: s.owner,
      windows,
      budgetRemaining: period ? 1 - period.errorRatio / budget : null,
      burn,
    };
  }
  return out;
}
