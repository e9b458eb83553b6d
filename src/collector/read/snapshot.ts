// The state of every model version over the rolling evaluation window (default 1 h): merged
// with the core, compared with its baseline by the core. Feeds /metrics and the alert rules, so
// both see the same numbers — and both see nothing of an aggregate below k devices.
import type { ColumnDrift } from '../../core/types.ts';
import { driftOptions, type CollectorOptions } from '../config.ts';
import type { Core } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { aggregate } from './aggregate.ts';
import { loadBaseline } from './baselines.ts';
import { healthOf, type HealthState } from './health.ts';
import { outputsOf, type OutputState } from './outputs.ts';

export interface ColumnState {
  kind: 'numeric' | 'grid' | 'categorical';
  count: number;
  missing: number;
  nan: number;
  /** Numeric columns: quantiles 0.5, 0.9, 0.99 of the window. */
  quantiles?: Record<'0.5' | '0.9' | '0.99', number>;
}

export interface VersionState {
  project: string;
  projectId: number;
  model: string;
  version: string;
  from: number;
  to: number;
  /** Seconds since the last upload of this version, null below k devices over 30 days. */
  freshnessSeconds: number | null;
  /** false: fewer than k devices in the window; nothing below is filled. */
  visible: boolean;
  devices?: number;
  uploads?: number;
  rows?: number;
  columns?: Record<string, ColumnState>;
  /** Per column, when a baseline is set. */
  drift?: Record<string, ColumnDrift>;
  /** Calls and failed calls, from the health columns; absent when they were not recorded. */
  health?: HealthState;
  /** Per classifier output: confidence, and performance when feedback columns exist. */
  outputs?: Record<string, OutputState>;
}

const QS = ['0.5', '0.9', '0.99'] as const;

export async function snapshot(db: Queryable, core: Core, options: CollectorOptions, now = Date.now()): Promise<VersionState[]> {
  const k = options.kAnonymity;
  const from = now - options.evalWindowMs;
  // Versions heard from in the last 30 days; freshness needs k devices over that span.
  const versions = await db.query<{ project_id: number; name: string; model: string; version: string; devices: number; last: number }>(
    `select u.project_id, p.name, u.model, u.version, count(distinct u.device_id) as devices, max(u.received_at) as last
     from uploads u join projects p on p.id = u.project_id
     where u.received_at >= $1
     group by u.project_id, p.name, u.model, u.version order by p.name, u.model, u.version`,
    [now - 30 * 86_400_000],
  );
  const out: VersionState[] = [];
  for (const v of versions) {
    const state: VersionState = {
      project: v.name,
      projectId: v.project_id,
      model: v.model,
      version: v.version,
      from,
      to: now,
      freshnessSeconds: v.devices >= k ? Math.max(0, (now - v.last) / 1000) : null,
      visible: false,
    };
    out.push(state);
    const agg = await aggregate(db, core, k, { projectId: v.project_id, model: v.model, version: v.version, from, to: now });
    if (agg.suppressed) continue;
    try {
      state.visible = true;
      state.devices = agg.devices;
      state.uploads = agg.uploads;
      state.rows = agg.rows;
      state.columns = {};
      for (const { name, kind } of agg.profile.columns) {
        const s = agg.profile.summary(name);
        const col: ColumnState = { kind, count: s.count, missing: s.missing, nan: s.nan };
        if (kind !== 'categorical') {
          const q = agg.profile.quantiles(name, QS.map(Number));
          col.quantiles = { '0.5': q[0], '0.9': q[1], '0.99': q[2] };
        }
        state.columns[name] = col;
      }
      state.health = healthOf(agg.profile) ?? undefined;
      state.outputs = outputsOf(core, agg.profile, agg.noise);
      const baseline = await loadBaseline(db, core, v.project_id, v.model, v.version);
      if (baseline) {
        try {
          state.drift = core.compare(baseline, agg.profile, driftOptions(options)).columns;
        } finally {
          baseline.dispose();
        }
      }
    } finally {
      agg.profile.dispose();
    }
  }
  return out;
}
