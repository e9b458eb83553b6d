// `edgewatch report`: the self-contained HTML drift report of a model version over a range,
// fetched from a running collector and written to a file (or stdout), to attach to a ticket.
import { writeFile } from 'node:fs/promises';
import { expectPositionals, parseFlags } from './args.ts';
import { call, DEFAULT_URL, target } from './collector-api.ts';
import { UsageError } from './errors.ts';

export const REPORT_HELP = `Usage:
  edgewatch report --model <id> --version <v> [--last <span> | --from <ISO time> --to <ISO time>]
                   [--segment <JSON>] [--out <file.html>] [--url <collector>] [--key <key>]

Writes the collector's HTML drift report of a model version over a range (default: the last
24 h) — every column's drift statistics and verdict, grouped into inputs, outputs, health and
feedback, the categories, the segments ranked by their part in the most drifted column, the
version's incidents — as one self-contained file (no script, nothing fetched when opened).

Options:
  --url <collector>  collector base URL (default: EDGEWATCH_URL, else ${DEFAULT_URL})
  --key <key>        a read or admin key (default: EDGEWATCH_KEY)
  --last <span>      the range ending now: 30m, 6h, 1d, 7d
  --from, --to       an exact range, ISO 8601 times
  --segment <JSON>   only uploads of a segment, e.g. '{"region":"east"}'
  --out <file>       where to write it (default: stdout)`;

const SPAN = /^([1-9][0-9]{0,5})([smhd])$/;
const UNIT: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('report', argv, {
    url: { type: 'string' },
    key: { type: 'string' },
    model: { type: 'string' },
    version: { type: 'string' },
    last: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    segment: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  expectPositionals('report', positionals, []);
  const { url, key } = target(values);
  if (!values.model || !values.version) throw new UsageError('report: --model and --version are required');
  if (!key) throw new UsageError('report: an API key is required (--key or EDGEWATCH_KEY)');
  const query = new URLSearchParams();
  if (values.last !== undefined) {
    if (values.from || values.to) throw new UsageError('report: give --last or --from/--to, not both');
    const m = SPAN.exec(values.last as string);
    if (!m) throw new UsageError(`report: --last expects a span such as 30m, 6h or 7d, got "${values.last}"`);
    const to = Date.now();
    query.set('from', String(to - Number(m[1]) * UNIT[m[2]]));
    query.set('to', String(to));
  } else if (values.from || values.to) {
    const from = Date.parse(values.from as string);
    const to = Date.parse(values.to as string);
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new UsageError('report: --from and --to expect ISO 8601 times, both');
    query.set('from', String(from));
    query.set('to', String(to));
  }
  if (values.segment) query.set('segment', values.segment as string);
  const path = `/v1/models/${encodeURIComponent(values.model as string)}/versions/${encodeURIComponent(values.version as string)}/report`;
  const html = (await call(
    `${url}${path}${query.size ? `?${query}` : ''}`,
    { headers: { authorization: `Bearer ${key}` } },
    true,
  )) as string;
  if (values.out) {
    await writeFile(values.out as string, html);
    console.log(`drift report of ${values.model}@${values.version} written to ${values.out} (${html.length} bytes)`);
  } else {
    process.stdout.write(html);
  }
  return 0;
}
