// The Prometheus text exposition of one metric, written as prom-client writes it but a slice of
// samples at a time: a wide version's column gauges hold thousands of samples each, and
// formatting one of them in a single pass held the request thread for 25–55 ms.
import type { Gauge } from 'prom-client';
import { yieldToLoop } from './yield.ts';

const SLICE = 1024;

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => escapeHelp(s).replace(/"/g, '\\"');

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/** The metric's HELP, TYPE and samples; `keep` decides which sample lines stay. */
export async function exposition(metric: Gauge, keep: (line: string) => boolean = () => true): Promise<string> {
  const m = await metric.get();
  const name = escapeHelp(m.name);
  const lines = [`# HELP ${name} ${escapeHelp(m.help)}`, `# TYPE ${name} ${m.type}`];
  let n = 0;
  for (const { labels, value } of m.values) {
    if (++n % SLICE === 0) await yieldToLoop();
    const l = Object.entries(labels).map(([k, v]) => `${k}="${typeof v === 'string' ? escapeLabel(v) : v}"`);
    const line = `${name}${l.length ? `{${l.join(',')}}` : ''} ${valueText(value)}`;
    if (keep(line)) lines.push(line);
  }
  return lines.join('\n');
}
