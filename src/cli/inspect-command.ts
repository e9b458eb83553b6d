// `edgewatch inspect <profile>`: what a profile holds — metadata, columns and their summaries,
// numeric quantiles, top categories, resolution and size. Every number is the core's.
import { loadCore, type ColumnSummary, type Profile } from 'edgewatch';
import { expectPositionals, numberFlag, parseFlags } from './args.ts';
import { UsageError } from './errors.ts';
import { count, num, toJson } from './format.ts';
import { loadProfile } from './load-profile.ts';
import { renderTable } from './table.ts';

export const INSPECT_HELP = `Usage: edgewatch inspect <profile> [options]

Shows a profile's format version, size, metadata and, per column: kind, rows, missing, NaN and
infinities; for numeric columns mean, variance, min, max, quantiles (0.01, 0.5, 0.9, 0.99), and
resolution (exact values, or scale, relative error and center); for categorical columns mode, distinct values, error bound and top items.

Options:
  --top <n>   categorical items shown per column (default 5)
  --json      print {"format", "bytes", "meta", "columns": {name: {summary, quantiles}}} as JSON
              (the core's ColumnSummary, bucket counts included)`;

export const INSPECT_QUANTILES = [0.01, 0.5, 0.9, 0.99];
/** Byte 4, right after the magic "EWPF", is the format version. */
const VERSION_BYTE = 4;

export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('inspect', argv, {
    json: { type: 'boolean' },
    top: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(INSPECT_HELP);
    return 0;
  }
  const [path] = expectPositionals('inspect', positionals, ['profile']);
  const top = numberFlag('inspect', 'top', values.top) ?? 5;
  if (!Number.isInteger(top) || top < 0) throw new UsageError('inspect: --top must be a non-negative integer');
  const core = await loadCore();
  const { profile, bytes } = await loadProfile(core, path);
  try {
    const columns = profile.columnNames.map((name) => ({ summary: profile.summary(name), quantiles: quantilesOf(profile, name) }));
    if (values.json) {
      console.log(
        toJson({
          format: bytes[VERSION_BYTE],
          bytes: bytes.byteLength,
          meta: profile.meta,
          columns: Object.fromEntries(columns.map((c) => [c.summary.name, c])),
        }),
      );
    } else {
      console.log(renderInspect(path, bytes, profile.meta, columns, top));
    }
  } finally {
    profile.dispose();
  }
  return 0;
}

function quantilesOf(profile: Profile, name: string): Record<string, number> | undefined {
  const kind = profile.columns[profile.indexOf(name)].kind;
  if (kind === 'categorical') return undefined;
  const values = profile.quantiles(name, INSPECT_QUANTILES);
  return Object.fromEntries(INSPECT_QUANTILES.map((q, i) => [String(q), values[i]]));
}

type Inspected = { summary: ColumnSummary; quantiles?: Record<string, number> };

function renderInspect(path: string, bytes: Uint8Array, meta: Record<string, string>, columns: Inspected[], top: number): string {
  const out: string[] = [];
  out.push(`${path}: edgewatch profile, format ${bytes[VERSION_BYTE]}, ${count(bytes.byteLength)} bytes, ${columns.length} columns`);
  const metaKeys = Object.keys(meta);
  if (metaKeys.length) {
    out.push('', 'meta:');
    for (const k of metaKeys) out.push(`  ${k} = ${meta[k]}`);
  }
  const numeric = columns.filter((c) => c.summary.kind !== 'categorical');
  const categorical = columns.filter((c) => c.summary.kind === 'categorical');
  if (numeric.length) {
    out.push('', 'numeric columns:');
    const rows = numeric.map(({ summary: s, quantiles: q = {} }) => {
      if (s.kind === 'categorical') throw new Error('unreachable');
      const centred =
        s.kind === 'numeric' && s.center !== undefined && s.center !== 0 && Number.isFinite(s.center) ? `, center ${num(s.center)}` : '';
      const resolution =
        s.kind !== 'numeric'
          ? `grid, ${s.edges?.length ?? 0} edges`
          : s.exact
            ? `exact, ${s.exact.length} values`
            : `scale ${s.scale}, ±${num((s.relativeError ?? NaN) * 100)}%${centred}`;
      return [
        s.name,
        count(s.count),
        count(s.missing),
        count(s.nan),
        `${count(s.posInf)} / ${count(s.negInf)}`,
        num(s.mean),
        num(s.variance),
        num(s.min),
        num(q['0.01']),
        num(q['0.5']),
        num(q['0.9']),
        num(q['0.99']),
        num(s.max),
        resolution + (s.noisy ? ', noisy' : ''),
      ];
    });
    const r = { align: 'right' as const };
    out.push(
      renderTable(
        [
          { header: 'column' },
          { header: 'rows', ...r },
          { header: 'missing', ...r },
          { header: 'nan', ...r },
          { header: '+inf / -inf', ...r },
          { header: 'mean', ...r },
          { header: 'variance', ...r },
          { header: 'min', ...r },
          { header: 'p01', ...r },
          { header: 'p50', ...r },
          { header: 'p90', ...r },
          { header: 'p99', ...r },
          { header: 'max', ...r },
          { header: 'resolution' },
        ],
        rows,
      ),
    );
  }
  if (categorical.length) {
    out.push('', 'categorical columns:');
    const rows = categorical.map(({ summary: s }) => {
      if (s.kind !== 'categorical') throw new Error('unreachable');
      const items = s.items.slice(0, top).map((i) => `${i.value} (${count(i.count)})`);
      if (s.items.length > top) items.push('…');
      return [
        s.name,
        count(s.count),
        count(s.missing),
        s.mode + (s.noisy ? ', noisy' : ''),
        // NaN: the device withheld the registers (unknown distinct count).
        s.mode === 'sketch' ? (Number.isNaN(s.distinct) ? '-' : `≈${count(Math.round(s.distinct))}`) : count(s.distinct),
        count(s.errorBound),
        items.join(', '),
      ];
    });
    const r = { align: 'right' as const };
    out.push(
      renderTable(
        [
          { header: 'column' },
          { header: 'rows', ...r },
          { header: 'missing', ...r },
          { header: 'mode' },
          { header: 'distinct', ...r },
          { header: 'error bound', ...r },
          { header: 'top items' },
        ],
        rows,
      ),
    );
  }
  return out.join('\n');
}
