// `edgewatch incidents`: the on-call workflow from a terminal, against a running collector —
// list incidents, show one with its signals, acknowledge, silence or snooze it until an expiry,
// record the decision taken, and print its postmortem draft.
import type { IncidentAction, IncidentActed, IncidentDetail, IncidentsResponse, Incident, Signal } from 'edgewatch/read-api';
import { expectPositionals, parseFlags } from './args.ts';
import { call, DEFAULT_URL, target } from './collector-api.ts';
import { UsageError } from './errors.ts';

export const INCIDENTS_HELP = `Usage:
  edgewatch incidents list [--state active|open|acknowledged|snoozed|resolved|all]
  edgewatch incidents show <id>
  edgewatch incidents ack <id> --by <name> [--for <span> | --until <ISO time>] [--note <text>]
  edgewatch incidents silence <id> --by <name> (--for <span> | --until <ISO time>) [--note <text>]
  edgewatch incidents snooze <id> --by <name> (--for <span> | --until <ISO time>) [--note <text>]
  edgewatch incidents decide <id> --by <name> --decision <text>
  edgewatch incidents postmortem <id>

list        incidents, newest first (default: active — open or acknowledged, not snoozed)
show        one incident: its signals (rule, column, segment, statistic, value, threshold) and
            its timeline
ack         acknowledge; with an expiry, it is open and notified again once that passes
silence     no notification until the expiry
snooze      hidden from the active list and no notification until the expiry, then notified again
decide      record the decision taken (e.g. "rolled back to 1.4.0"), for the postmortem
postmortem  a Markdown postmortem draft filled from the incident

Options:
  --url <collector>  collector base URL (default: EDGEWATCH_URL, else ${DEFAULT_URL})
  --key <key>        a read or admin key (default: EDGEWATCH_KEY)
  --for <span>       expiry from now: 30m, 4h, 1d
  --until <time>     expiry as an ISO 8601 time`;

const ACTIONS: Record<string, IncidentAction> = { ack: 'acknowledge', silence: 'silence', snooze: 'snooze', decide: 'decide' };

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

export async function incidentsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(INCIDENTS_HELP);
    return sub ? 0 : 2;
  }
  const known = ['list', 'show', 'postmortem', ...Object.keys(ACTIONS)];
  if (!known.includes(sub)) throw new UsageError(`incidents: unknown subcommand "${sub}" (${known.join(', ')})`);
  const { values, positionals } = parseFlags(`incidents ${sub}`, rest, {
    url: { type: 'string' },
    key: { type: 'string' },
    state: { type: 'string' },
    by: { type: 'string' },
    for: { type: 'string' },
    until: { type: 'string' },
    note: { type: 'string' },
    decision: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(INCIDENTS_HELP);
    return 0;
  }
  const { url, key } = target(values);
  if (!key) throw new UsageError(`incidents ${sub}: an API key is required (--key or EDGEWATCH_KEY)`);
  const auth = { authorization: `Bearer ${key}` };

  if (sub === 'list') {
    expectPositionals('incidents list', positionals, []);
    const q = values.state ? `?state=${encodeURIComponent(values.state as string)}` : '';
    const { incidents } = (await call(`${url}/v1/incidents${q}`, { headers: auth })) as IncidentsResponse;
    if (incidents.length === 0) console.log('no incidents');
    for (const i of incidents) console.log(summary(i));
    return 0;
  }
  const [raw] = expectPositionals(`incidents ${sub}`, positionals, ['id']);
  if (!/^[1-9][0-9]*$/.test(raw)) throw new UsageError(`incidents ${sub}: <id> is an incident number, got "${raw}"`);
  const route = `${url}/v1/incidents/${raw}`;
  if (sub === 'postmortem') {
    process.stdout.write((await call(`${route}/postmortem`, { headers: auth }, true)) as string);
    return 0;
  }
  if (sub === 'show') {
    const { incident, timeline } = (await call(route, { headers: auth })) as IncidentDetail;
    console.log(summary(incident));
    for (const s of incident.signals) console.log(`  ${s.state.padEnd(8)} ${signalLine(s)}`);
    for (const t of timeline) console.log(`  ${iso(t.at)} ${t.kind}${t.actor ? ` by ${t.actor}` : ''}${t.note ? `: ${t.note}` : ''}`);
    return 0;
  }
  if (!values.by) throw new UsageError(`incidents ${sub}: --by <name> is required (who acts)`);
  if (values.for && values.until) throw new UsageError(`incidents ${sub}: give --for or --until, not both`);
  const until = values.until === undefined ? undefined : Date.parse(values.until as string);
  if (until !== undefined && !Number.isFinite(until))
    throw new UsageError(`incidents ${sub}: --until expects an ISO 8601 time, got "${values.until}"`);
  if (sub === 'decide' && !values.decision) throw new UsageError('incidents decide: --decision <text> is required');
  const body = { by: values.by, note: values.note, decision: values.decision, for: values.for, until };
  const { incident } = (await call(`${route}/${ACTIONS[sub]}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })) as IncidentActed;
  console.log(actionLine(sub, incident, values.by as string));
  return 0;
}

function summary(i: Incident): string {
  const muted = [
    i.acknowledgedBy && i.state === 'acknowledged'
      ? `acknowledged by ${i.acknowledgedBy}${i.acknowledgedUntil ? ` until ${iso(i.acknowledgedUntil)}` : ''}`
      : null,
    i.silencedUntil ? `silenced until ${iso(i.silencedUntil)}` : null,
    i.snoozedUntil ? `snoozed until ${iso(i.snoozedUntil)}` : null,
  ].filter(Boolean);
  const live = i.signals.filter((s) => s.state === 'firing' || s.state === 'no_data').length;
  return (
    `#${i.id} ${i.state} ${i.severity} ${i.model}@${i.version} since ${iso(i.openedAt)}: ${live} active signal${live === 1 ? '' : 's'}` +
    `${i.columns.length ? ` (${i.columns.join(', ')})` : ''}${muted.length ? `; ${muted.join('; ')}` : ''}`
  );
}

function signalLine(s: Signal): string {
  const where = `${s.column ?? s.output ?? 'version'}${s.segment ? ` ${JSON.stringify(s.segment)}` : ''}`;
  if (s.statistic === 'no_data') return `${where}: no data (${s.rule})`;
  return `${where}: ${s.statistic} ${s.value ?? 'n/a'}${s.threshold === null ? '' : ` ${s.op ?? ''} ${s.threshold}`} (${s.rule})`;
}

function actionLine(sub: string, i: Incident, by: string): string {
  const head = `incident #${i.id}`;
  if (sub === 'ack') return `${head} acknowledged by ${by}${i.acknowledgedUntil ? ` until ${iso(i.acknowledgedUntil)}` : ''}`;
  if (sub === 'silence') return `${head} silenced until ${iso(i.silencedUntil!)}`;
  if (sub === 'snooze') return `${head} snoozed until ${iso(i.snoozedUntil!)}`;
  return `${head}: decision recorded`;
}
