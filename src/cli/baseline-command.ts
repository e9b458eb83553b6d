// `edgewatch baseline set|grid`: talks to a running collector over its HTTP API — sets a model
// version's baseline from a profile file, or fetches the private-mode grid derived from it.
import { readFile } from 'node:fs/promises';
import { loadCore } from 'edgewatch';
import type { BaselineSet } from 'edgewatch/read-api';
import { expectPositionals, parseFlags } from './args.ts';
import { UsageError } from './errors.ts';
import { call, DEFAULT_URL } from './collector-api.ts';
import { loadProfile } from './load-profile.ts';

export const BASELINE_HELP = `Usage:
  edgewatch baseline set <profile> --model <id> --version <v> [--url <collector>] [--key <admin key>]
  edgewatch baseline grid --model <id> --version <v> [--url <collector>] [--key <key>]

set   uploads a profile (from \`edgewatch profile\` on training data) as the baseline of a model
      version; needs an admin key. Prints the columns the collector registered.
grid  prints, as JSON, the private-mode grid the collector derives from that baseline (per
      column its percentile edges or its vocabulary); any key of the project works.

Options:
  --url <collector>  collector base URL (default: EDGEWATCH_URL, else ${DEFAULT_URL})
  --key <key>        API key (default: EDGEWATCH_KEY)
  --model <id>       model id
  --version <v>      model version`;

export async function baselineCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(BASELINE_HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'set' && sub !== 'grid') throw new UsageError(`baseline: unknown subcommand "${sub}" (set or grid)`);
  const { values, positionals } = parseFlags(`baseline ${sub}`, rest, {
    url: { type: 'string' },
    key: { type: 'string' },
    model: { type: 'string' },
    version: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(BASELINE_HELP);
    return 0;
  }
  const url = ((values.url as string | undefined) ?? process.env.EDGEWATCH_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  const key = (values.key as string | undefined) ?? process.env.EDGEWATCH_KEY;
  const model = values.model as string | undefined;
  const version = values.version as string | undefined;
  if (!model || !version) throw new UsageError(`baseline ${sub}: --model and --version are required`);
  if (!key) throw new UsageError(`baseline ${sub}: an API key is required (--key or EDGEWATCH_KEY)`);
  const route = `${url}/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}`;

  if (sub === 'set') {
    const [path] = expectPositionals('baseline set', positionals, ['profile']);
    // Decode locally first: a bad file gets the same clear error as everywhere else.
    const { profile } = await loadProfile(await loadCore(), path);
    profile.dispose();
    const body = await readFile(path);
    const answer = await call(`${route}/baseline`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
      body,
    });
    const { columns } = answer as BaselineSet;
    console.log(`baseline of ${model}@${version} set from ${path}: ${columns.length} columns (${columns.join(', ')})`);
    return 0;
  }
  expectPositionals('baseline grid', positionals, []);
  const answer = await call(`${route}/grid`, { headers: { authorization: `Bearer ${key}` } });
  console.log(JSON.stringify(answer, null, 2));
  return 0;
}
