// The state of every model version over each rolling evaluation window (`--eval-windows`, default
// 1 h and 24 h), and of each of its segments with k devices (at most evalMaxSegments per
// version): merged with the core, compared with the version's baseline by the core. Feeds
// /metrics and the alert rules, so both see the same numbers — and both see nothing of an
// aggregate below k devices. A 24 h window costs about as little as a 1 h one: aggregate() reads
// its whole hours from hourly rollups.
import type { ColumnDrift } from 'edgewatch';
import type { Counter } from 'prom-client';
import { driftOptions, type CollectorOptions } from '../config.ts';
import type { Core, Profile } from '../core.ts';
import { parseEvalWindows } from '../eval-windows.ts';
import type { Queryable } from '../storage/db.ts';
import { aggregate } from './aggregate.ts';
import { yieldToLoop } from '../yield.ts';
import { loadBaseline } from './baselines.ts';
import { healthOf, type HealthState } from './health.ts';
import { outputsOf, type OutputState } from './outputs.ts';
import { canonicalSegment, listSegments, versionActivity } from './segments.ts';
import { listSlos } from '../slo/slos.ts';
import { sloStatuses, type SloStatus } from '../slo/status.ts';

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
  /**
   * null: all of the version's traffic. Otherwise one segment as devices upload it, read by
   * containment like the API's `segment` parameter (uploads whose segment holds these key/values).
   */
  segment: Record<string, string> | null;
  /** The rolling window's name ("1h", "24h": its span) and its range [from, to). */
  window: string;
  from: number;
  to: number;
  /**
   * Seconds since the last upload of this version (or segment), the same in every window; null
   * below k devices over 30 days.
   */
  freshnessSeconds: number | null;
  /** false: fewer than k devices in the window (or none); nothing below is filled. */
  visible: boolean;
  /**
   * true: no upload at all in the window (traffic stopped), which rules treat by their `noData`
   * policy; false with `visible` false is "fewer than k devices", which leaves alerts as they are.
   */
  noData: boolean;
  devices?: number;
  uploads?: number;
  rows?: number;
  columns?: Record<string, ColumnState>;
  /** Per column, when a baseline is set. */
  drift?: Record<string, ColumnDrift>;
  /**
   * Schema changes against the baseline, when one is set: its columns the window lacks, and
   * columns numeric on one side and categorical on the other. (Columns the baseline lacks are
   * not listed: windows always hold runtime columns — health, feedback — that baselines do not.)
   */
  schema?: { missing: string[]; changed: { name: string; baseline: string; current: string }[] };
  /** Calls and failed calls, from the health columns; absent when they were not recorded. */
  health?: HealthState;
  /** Per classifier output: confidence, and performance when feedback columns exist. */
  outputs?: Record<string, OutputState>;
  /**
   * The version's SLOs, on the whole version's state of the first window only (each SLO has
   * its own windows); present whether or not that window has k devices.
   */
  slos?: Record<string, SloStatus>;
}

const QS = ['0.5', '0.9', '0.99'] as const;
const MONTH = 30 * 86_400_000;

/**
 * Every version's state. A version whose evaluation fails is logged, counted in `failed` and left
 * out, so it never takes the metrics or alerts of any other version or project with it.
 */
export async function snapshot(
  db: Queryable,
  core: Core,
  options: CollectorOptions,
  now = Date.now(),
  failed?: Counter,
): Promise<VersionState[]> {
  const windows = parseEvalWindows(options.evalWindows);
  // Candidates: every registered version (each upload's version is registered). Those heard from
  // in the last 30 days — at any of the three storage levels, so a version silent for longer
  // than raw uploads are kept still has its freshness — are evaluated; freshness needs k devices
  // over that span.
  const versions = await db.query<{ project_id: number; name: string; model: string; version: string }>(
    `select m.project_id, p.name, m.model, m.version from models m join projects p on p.id = m.project_id
     order by p.name, m.model, m.version`,
  );
  const out: VersionState[] = [];
  const slos = await listSlos(db);
  for (const v of versions) {
    try {
      const states = await versionStates(db, core, options, now, windows, v);
      out.push(...states);
      const whole = states.find((x) => x.segment === null && x.window === windows[0].name);
      if (whole) {
        const statuses = await sloStatuses(db, core, options, { projectId: v.project_id, model: v.model, version: v.version }, slos, now);
        if (Object.keys(statuses).length) whole.slos = statuses;
      }
    } catch (err) {
      failed?.inc();
      console.error(
        `edgewatch evaluation: ${v.name} ${v.model}@${v.version} skipped: ${String((err as Error)?.message ?? err).split('\n')[0]}`,
      );
    }
  }
  return out;
}

async function versionStates(
  db: Queryable,
  core: Core,
  options: CollectorOptions,
  now: number,
  windows: ReturnType<typeof parseEvalWindows>,
  v: { project_id: number; name: string; model: string; version: string },
): Promise<VersionState[]> {
  const k = options.kAnonymity;
  const last30Days = { from: now - MONTH, to: now };
  const out: VersionState[] = [];
  const where = { projectId: v.project_id, model: v.model, version: v.version };
  const activity = await versionActivity(db, { ...where, ...last30Days });
  if (activity.devices === 0 || activity.lastUploadAt === null) return out;
  const head = { project: v.name, projectId: v.project_id, model: v.model, version: v.version };
  // Segments with k devices over the same 30 days, the most devices first, at most
  // evalMaxSegments of them; each one's freshness is that of its own last upload.
  const segments = (await listSegments(db, k, { ...where, ...last30Days }))
    .filter((x) => Object.keys(x.segment).length > 0)
    .sort((a, b) => b.devices - a.devices || canonicalSegment(a.segment).localeCompare(canonicalSegment(b.segment)))
    .slice(0, options.evalMaxSegments);
  const freshness = (last: number) => Math.max(0, (now - last) / 1000);
  const targets = [
    { segment: null, freshnessSeconds: activity.devices >= k ? freshness(activity.lastUploadAt) : null },
    ...segments.map((x) => ({ segment: x.segment, freshnessSeconds: freshness(x.lastUploadAt) })),
  ];
  const baseline = await loadBaseline(db, core, v.project_id, v.model, v.version);
  try {
    for (const t of targets) {
      for (const w of windows) {
        const state: VersionState = { ...head, ...t, window: w.name, from: now - w.ms, to: now, visible: false, noData: false };
        out.push(await fill(state, db, core, options, baseline));
      }
    }
  } finally {
    baseline?.dispose();
  }
  return out;
}

/** Merges the state's window (its segment's, if any) and fills everything else when ≥ k devices. */
async function fill(
  state: VersionState,
  db: Queryable,
  core: Core,
  options: CollectorOptions,
  baseline: Profile | null,
): Promise<VersionState> {
  const agg = await aggregate(db, core, options.kAnonymity, {
    projectId: state.projectId,
    model: state.model,
    version: state.version,
    from: state.from,
    to: state.to,
    ...(state.segment ? { segment: state.segment } : {}),
  });
  if (agg.suppressed) {
    state.noData = agg.empty;
    return state;
  }
  try {
    state.visible = true;
    state.devices = agg.devices;
    state.uploads = agg.uploads;
    state.rows = agg.rows;
    const columns: Record<string, ColumnState> = Object.create(null);
    state.columns = columns;
    let n = 0;
    for (const { name, kind } of agg.profile.columns) {
      if (++n % 32 === 0) await yieldToLoop(); // a wide profile's columns in slices of a few ms
      const s = agg.profile.summary(name);
      const col: ColumnState = { kind, count: s.count, missing: s.missing, nan: s.nan };
      if (kind !== 'categorical') {
        const q = agg.profile.quantiles(name, QS.map(Number));
        col.quantiles = { '0.5': q[0], '0.9': q[1], '0.99': q[2] };
      }
      columns[name] = col;
    }
    state.health = healthOf(agg.profile) ?? undefined;
    state.outputs = outputsOf(core, agg.profile, agg.noise);
    if (baseline) {
      const report = await core.compareInSlices(baseline, agg.profile, driftOptions(options), yieldToLoop);
      state.drift = report.columns;
      state.schema = { missing: report.schema.missing, changed: report.schema.changed };
    }
  } finally {
    agg.profile.dispose();
  }
  return state;
}
