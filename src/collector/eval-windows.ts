// The rolling windows the snapshot evaluates (`--eval-windows`, default "1h,24h"). Each window is
// named by its span as written ("30s", "15m", "1h", "7d"): the name is the `window` label in
// /metrics and what an alert rule's `window` refers to, so it must read the same everywhere.

export interface EvalWindow {
  name: string;
  ms: number;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** A window name: a whole number (no leading zero) and a unit. Also the rule schema's pattern. */
export const SPAN_PATTERN = '^([1-9][0-9]{0,5})([smhd])$';
const SPAN = new RegExp(SPAN_PATTERN);

/** One window name ("24h") as its span in ms, or null when it is not a span. */
export function spanMs(name: string): number | null {
  const m = SPAN.exec(name);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

/** "1h,24h" → the windows in the order given; a clear error for anything else. */
export function parseEvalWindows(text: string): EvalWindow[] {
  const names = text.split(',').map((s) => s.trim());
  const out: EvalWindow[] = [];
  for (const name of names) {
    const ms = spanMs(name);
    if (ms === null) throw new Error(`--eval-windows: "${name}" is not a span such as 30s, 15m, 1h or 7d (a comma-separated list)`);
    // "60m" next to "1h" would export the same figures twice under two names.
    const same = out.find((w) => w.ms === ms);
    if (same) throw new Error(`--eval-windows: "${same.name}" and "${name}" are the same window`);
    out.push({ name, ms });
  }
  return out;
}
