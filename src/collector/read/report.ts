// A self-contained HTML drift report of a model version over a range (and segment), to attach
// to a ticket: one file, inline styles, no script, nothing fetched when opened. What it holds
// is the collector's: the merged aggregate compared with the baseline by the core (every
// statistic, every column, grouped into inputs, outputs, health and feedback), the categories
// of categorical columns, the segments ranked by their part in the most drifted column, and
// the version's incidents over the range. Below k devices it says so and shows nothing else.
import type { CategoricalSummary, ColumnDrift } from 'edgewatch';
import { driftOptions, type CollectorOptions } from '../config.ts';
import type { Core } from '../core.ts';
import type { Queryable } from '../storage/db.ts';
import { aggregate, type Selection } from './aggregate.ts';
import { loadBaseline } from './baselines.ts';
import { COLUMN_GROUPS, groupOf, hasBaselineValues, outputsAmong } from 'edgewatch';
import { rankSegments, type SegmentRanking } from './segment-ranking.ts';
import { yieldToLoop } from '../yield.ts';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x)
    ? '—'
    : !Number.isFinite(x)
      ? String(x)
      : Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3)
        ? x.toExponential(3)
        : String(Number(x.toPrecision(4)));
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
const pair = (p: [number, number]) => `${fmt(p[0])} → ${fmt(p[1])}`;

export async function driftReport(
  db: Queryable,
  core: Core,
  options: CollectorOptions,
  project: string,
  s: Selection,
  now = Date.now(),
): Promise<string> {
  const k = options.kAnonymity;
  const title = `Drift report: ${s.model}@${s.version}`;
  const where = `${iso(s.from)} – ${iso(s.to)}${s.segment ? `, segment ${JSON.stringify(s.segment)}` : ''}`;
  const head = `<h1>${esc(title)}</h1><p class="sub">Project ${esc(project)} · ${esc(where)} · generated ${esc(iso(now))} by the edgewatch collector</p>`;
  const baseline = await loadBaseline(db, core, s.projectId, s.model, s.version);
  if (!baseline) return page(title, `${head}<p class="warn">No baseline is set for this version: nothing to compare with.</p>`);
  try {
    const agg = await aggregate(db, core, k, s);
    if (agg.suppressed) {
      const why = agg.empty
        ? 'No upload in this range (no data).'
        : `Fewer than ${k} devices in this range: the collector shows nothing of it.`;
      return page(title, `${head}<p class="warn">${esc(why)}</p>`);
    }
    let columns: Record<string, ColumnDrift>;
    const categories: Record<string, [CategoricalSummary, CategoricalSummary]> = {};
    let outputs: string[];
    try {
      columns = (await core.compareInSlices(baseline, agg.profile, driftOptions(options), yieldToLoop)).columns;
      outputs = outputsAmong(agg.profile.columnNames);
      for (const [name, d] of Object.entries(columns)) {
        if (d.kind !== 'categorical') continue;
        const b = baseline.summary(name);
        const c = agg.profile.summary(name);
        if (b.kind === 'categorical' && c.kind === 'categorical') categories[name] = [b, c];
      }
    } finally {
      agg.profile.dispose();
    }
    // Compared: the baseline has values of the column (health and feedback columns exist on devices only).
    const compared = Object.entries(columns).filter(([, d]) => hasBaselineValues(d));
    const drifted = compared.filter(([, d]) => d.drifted.drifted).sort(([, a], [, b]) => severity(b) - severity(a));
    const ranking = drifted.length ? await rankSegments(db, core, options, baseline, { ...s, column: drifted[0][0], limit: 10 }) : null;
    const incidents = await db.query<{ id: number; state: string; severity: string; opened_at: number; resolved_at: number | null }>(
      `select id, state, severity, opened_at, resolved_at from incidents where project_id = $1 and model = $2 and version = $3
         and opened_at < $5 and (resolved_at is null or resolved_at >= $4) order by id`,
      [s.projectId, s.model, s.version, s.from, s.to],
    );
    const body = [
      head,
      `<ul class="stats"><li><b>${agg.devices}</b> devices</li><li><b>${agg.uploads}</b> uploads</li><li><b>${agg.rows}</b> rows</li>` +
        `<li><b class="${drifted.length ? 'bad' : 'ok'}">${drifted.length} of ${compared.length}</b> compared columns drifted</li></ul>`,
      drifted.length
        ? `<p>Drifted, most severe first: ${drifted.map(([n]) => `<a href="#col-${esc(n)}">${esc(n)}</a>`).join(', ')}.</p>`
        : '<p>No compared column drifted.</p>',
      incidents.length
        ? `<h2>Incidents of this version in the range</h2><ul>${incidents.map((i) => `<li>#${i.id} ${esc(i.state)} (${esc(i.severity)}), opened ${esc(iso(Number(i.opened_at)))}${i.resolved_at ? `, resolved ${esc(iso(Number(i.resolved_at)))}` : ''}</li>`).join('')}</ul>`
        : '',
      ranking ? segmentsSection(ranking) : '',
      ...COLUMN_GROUPS.map((g) =>
        groupSection(
          g,
          compared.filter(([n]) => groupOf(n, outputs) === g),
        ),
      ),
      categoriesSection(categories, new Set(drifted.map(([n]) => n))),
      `<h2>Method</h2><p class="note">Every figure is computed by the edgewatch core on the merged sketches of the range: numeric columns by KS, Wasserstein-1, PSI, Jensen–Shannon and Hellinger (binned statistics on 10 bins cut at the baseline deciles), categorical ones by χ², L∞, Jensen–Shannon and PSI. The verdict is the collector's rule: a p-value test at ${fmt(options.driftPvalue)} up to ${options.driftSmallSample} baseline values, else Wasserstein-1 / baseline standard deviation at ${fmt(options.driftWassersteinNorm)} or Jensen–Shannon at ${fmt(options.driftJs)}. Aggregates of fewer than ${k} devices are never shown. A segment's contribution is the Jensen–Shannon distance to the baseline of all traffic minus that of all traffic without the segment.</p>`,
    ];
    return page(title, body.join('\n'));
  } finally {
    baseline.dispose();
  }
}

/** How far the verdict's value is past its threshold (p-values: below it). */
function severity(d: ColumnDrift): number {
  const v = d.drifted;
  return v.test.endsWith('pvalue') ? (v.threshold - v.value) / v.threshold : (v.value - v.threshold) / (v.threshold || 1);
}

function groupSection(group: string, cols: [string, ColumnDrift][]): string {
  if (cols.length === 0) return '';
  const rows = cols
    .sort(([a, x], [b, y]) => Number(y.drifted.drifted) - Number(x.drifted.drifted) || severity(y) - severity(x) || a.localeCompare(b))
    .map(([name, d]) => {
      const v = d.drifted;
      const stats =
        d.kind === 'numeric'
          ? `KS ${fmt(d.ks.statistic)} (p ${fmt(d.ks.pvalue)}) · W1 ${fmt(d.wasserstein)} · PSI ${fmt(d.psi)} · JS ${fmt(d.js)} · Hellinger ${fmt(d.hellinger)}`
          : `χ² ${fmt(d.chi2.statistic)} (p ${fmt(d.chi2.pvalue)}, dof ${d.chi2.dof}) · L∞ ${fmt(d.linf)} · PSI ${fmt(d.psi)} · JS ${fmt(d.js)}`;
      const shape =
        d.kind === 'numeric'
          ? `mean ${pair(d.mean)}<br>p50 ${pair(d.quantiles['0.5'])} · p90 ${pair(d.quantiles['0.9'])} · p99 ${pair(d.quantiles['0.99'])}`
          : '';
      return (
        `<tr id="col-${esc(name)}" class="${v.drifted ? 'drifted' : ''}"><th scope="row">${esc(name)}</th><td>${esc(d.kind)}</td>` +
        `<td class="${v.drifted ? 'bad' : 'ok'}">${v.drifted ? 'drifted' : 'stable'}</td><td>${esc(v.test)} ${fmt(v.value)} / ${fmt(v.threshold)}</td>` +
        `<td>${d.count[0]} → ${d.count[1]}</td><td>${pair(d.missing_rate)}</td><td>${shape}</td><td class="small">${stats}</td></tr>`
      );
    })
    .join('');
  return (
    `<h2>${esc(group[0].toUpperCase() + group.slice(1))}</h2><table><thead><tr><th>Column</th><th>Kind</th><th>Verdict</th><th>Test: value / threshold</th>` +
    `<th>Count (baseline → current)</th><th>Missing rate</th><th>Shape</th><th>All statistics</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function segmentsSection(r: SegmentRanking): string {
  if (r.segments.length === 0) return '';
  return (
    `<h2>Which segment: ${esc(r.column)}</h2><table><thead><tr><th>Segment</th><th>Devices</th><th>Rows</th><th>Its verdict</th><th>Contribution to the drift</th></tr></thead><tbody>` +
    r.segments
      .map(
        (s) =>
          `<tr><th scope="row">${esc(JSON.stringify(s.segment))}</th><td>${s.devices}</td><td>${s.rows}</td>` +
          `<td>${s.drift ? `${s.drift.drifted.drifted ? 'drifted' : 'stable'} (${esc(s.drift.drifted.test)} ${fmt(s.drift.drifted.value)})` : '—'}</td>` +
          `<td>${s.driftContribution === null ? 'n/a (no other traffic)' : fmt(s.driftContribution)}</td></tr>`,
      )
      .join('') +
    '</tbody></table>'
  );
}

function categoriesSection(cats: Record<string, [CategoricalSummary, CategoricalSummary]>, drifted: Set<string>): string {
  const shown = Object.entries(cats).filter(([n, [b]]) => b.count > 0 || drifted.has(n));
  if (shown.length === 0) return '';
  return `<h2>Categories</h2>${shown
    .map(([name, [b, c]]) => {
      const current = new Map(c.items.map((i) => [i.value, i.count]));
      const values = [...new Set([...b.items.map((i) => i.value), ...c.items.map((i) => i.value)])].slice(0, 20);
      const base = new Map(b.items.map((i) => [i.value, i.count]));
      return (
        `<table class="cats"><caption>${esc(name)}</caption><thead><tr><th>Value</th><th>Baseline count</th><th>Current count</th></tr></thead><tbody>` +
        values
          .map((v) => `<tr><th scope="row">${esc(v)}</th><td>${fmt(base.get(v) ?? 0)}</td><td>${fmt(current.get(v) ?? 0)}</td></tr>`)
          .join('') +
        '</tbody></table>'
      );
    })
    .join('')}`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1d2433; margin: 1.5rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 0.2rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
.sub, .note { color: #5a6475; } .warn { background: #fff4ec; padding: 0.6rem 0.8rem; border-radius: 6px; }
.stats { display: flex; gap: 1.5rem; list-style: none; padding: 0; } .bad { color: #a31f24; font-weight: 600; } .ok { color: #17693b; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; margin-bottom: 0.8rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e3e7ee; }
thead th { color: #4a5468; font-size: 0.85rem; } tr.drifted { background: #fff8f2; } td.small { font-size: 0.8rem; color: #4a5468; }
table.cats { width: auto; display: inline-table; margin-right: 1.5rem; } caption { text-align: left; font-weight: 600; }
</style></head><body>
${body}
</body></html>
`;
}
