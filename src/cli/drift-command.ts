// `edgewatch drift <baseline> <current>`: the core's drift report between two profiles, as an
// aligned table or (--json) exactly the core's DriftReport.
import { DRIFT_DEFAULTS, loadCore, type DriftOptions, type DriftReport } from 'edgewatch';
import { expectPositionals, numberFlag, parseFlags } from './args.ts';
import { UserError } from './errors.ts';
import { count, num, toJson } from './format.ts';
import { loadProfile } from './load-profile.ts';
import { renderTable } from './table.ts';

export const DRIFT_HELP = `Usage: edgewatch drift <baseline> <current> [options]

Compares every column the two profiles share. Numeric: KS, Wasserstein-1, PSI, Jensen-Shannon,
Hellinger; categorical: chi-square, L-infinity, Jensen-Shannon, PSI.

Verdict per column: with at most --small-sample baseline values, a p-value test (KS or
chi-square) drifts below --pvalue; with more, a distance drifts at or above its threshold
(Wasserstein-1 / baseline standard deviation for numbers; for categories the Jensen-Shannon
distance together with the chi-square p-value).

Beside drift, data-quality checks per column (missing-rate change, NaN and +/-Inf share rise,
share outside the baseline's range, zero-share change, share of new categories) and schema
changes (a column missing, new, or of another kind).

Options:
  --json                   print the drift report as JSON ({"columns": {...}, "schema": {...}}; NaN as null)
  --small-sample <n>       baseline size up to which p-values decide (default ${DRIFT_DEFAULTS.smallSample})
  --pvalue <p>             p-value threshold (default ${DRIFT_DEFAULTS.pvalue})
  --wasserstein-norm <d>   threshold of Wasserstein-1 / baseline std (default ${DRIFT_DEFAULTS.wassersteinNorm})
  --js <d>                 threshold of the Jensen-Shannon distance, categorical (default ${DRIFT_DEFAULTS.js})
  --fail-on-drift          exit with status 1 when any column drifted or the schemas differ`;

export async function driftCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('drift', argv, {
    json: { type: 'boolean' },
    'small-sample': { type: 'string' },
    pvalue: { type: 'string' },
    'wasserstein-norm': { type: 'string' },
    js: { type: 'string' },
    'fail-on-drift': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(DRIFT_HELP);
    return 0;
  }
  const [baselinePath, currentPath] = expectPositionals('drift', positionals, ['baseline', 'current']);
  const options: DriftOptions = {
    smallSample: numberFlag('drift', 'small-sample', values['small-sample']),
    pvalue: numberFlag('drift', 'pvalue', values.pvalue),
    wassersteinNorm: numberFlag('drift', 'wasserstein-norm', values['wasserstein-norm']),
    js: numberFlag('drift', 'js', values.js),
  };
  for (const k of Object.keys(options) as (keyof DriftOptions)[]) if (options[k] === undefined) delete options[k];

  const core = await loadCore();
  const { profile: baseline } = await loadProfile(core, baselinePath);
  try {
    const { profile: current } = await loadProfile(core, currentPath);
    try {
      let report: DriftReport;
      try {
        report = core.compare(baseline, current, options);
      } catch (err) {
        throw new UserError(`cannot compare ${baselinePath} with ${currentPath}: ${(err as Error).message}`);
      }
      if (values.json) console.log(toJson(report));
      else console.log(renderDrift(report));
      const anyDrift = Object.values(report.columns).some((c) => c.drifted.drifted);
      return values['fail-on-drift'] && (anyDrift || report.schema.flagged) ? 1 : 0;
    } finally {
      current.dispose();
    }
  } finally {
    baseline.dispose();
  }
}

export function renderDrift(report: DriftReport): string {
  const rows = Object.entries(report.columns).map(([name, c]) => {
    const test = c.kind === 'numeric' ? c.ks : c.chi2;
    return [
      name,
      c.kind,
      `${count(c.count[0])} / ${count(c.count[1])}`,
      c.drifted.test,
      num(c.drifted.value),
      num(c.drifted.threshold),
      c.drifted.drifted ? 'DRIFT' : 'no',
      `${c.kind === 'numeric' ? 'ks' : 'chi2'} ${num(test.statistic)}`,
      num(test.pvalue),
      num(c.psi),
      num(c.js),
      c.quality.checks
        .filter((q) => q.flagged)
        .map((q) => `${q.name} ${num(q.value)}`)
        .join(', ') || '-',
    ];
  });
  const table = renderTable(
    [
      { header: 'column' },
      { header: 'kind' },
      { header: 'n (base / current)', align: 'right' },
      { header: 'test' },
      { header: 'value', align: 'right' },
      { header: 'threshold', align: 'right' },
      { header: 'drifted' },
      { header: 'statistic', align: 'right' },
      { header: 'p-value', align: 'right' },
      { header: 'psi', align: 'right' },
      { header: 'js', align: 'right' },
      { header: 'quality' },
    ],
    rows,
  );
  const drifted = rows.filter((r) => r[6] === 'DRIFT').length;
  const flagged = rows.filter((r) => r[11] !== '-').length;
  const lines = [table, '', `${drifted} of ${rows.length} columns drifted, ${flagged} with data-quality flags`];
  const { missing, added, changed } = report.schema;
  if (missing.length) lines.push(`schema: only in the baseline (not compared): ${missing.join(', ')}`);
  if (added.length) lines.push(`schema: only in the current profile (not compared): ${added.join(', ')}`);
  for (const c of changed) lines.push(`schema: '${c.name}' is ${c.baseline} in the baseline but ${c.current} now (not compared)`);
  return lines.join('\n');
}
