// The names of the columns the edge runtime records, declared once: the runtime builds them here,
// and the collector and the dashboard read them back with parseColumn (never with patterns of
// their own). A model's input features keep the names the app gives them.
//
//   <output>.predicted   <output>.confidence   <output>.score.<class>          a classifier's output
//   health.latency_ms    health.failure        health.provider                 every inference
//   feedback.<output>.confusion                                                delayed labels
//   feedback.<output>.score.<class>.label.<label>
//   feedback.<output>.calibration.all | .correct
//   <input>.channel<c>                                                         an image's channels

/** The category that values outside a vocabulary fold into (the core's categorical sketch). */
export const OTHER = '__other__';

export const HEALTH = {
  latency: 'health.latency_ms',
  failure: 'health.failure',
  provider: 'health.provider',
} as const;

const FEEDBACK = 'feedback.';

export const columnName = {
  channel: (input: string, channel: number) => `${input}.channel${channel}`,
  predicted: (output: string) => `${output}.predicted`,
  confidence: (output: string) => `${output}.confidence`,
  score: (output: string, cls: string) => `${output}.score.${cls}`,
  confusion: (output: string) => `${FEEDBACK}${output}.confusion`,
  labelledScore: (output: string, cls: string, label: string) => `${FEEDBACK}${output}.score.${cls}.label.${label}`,
  calibrationAll: (output: string) => `${FEEDBACK}${output}.calibration.all`,
  calibrationCorrect: (output: string) => `${FEEDBACK}${output}.calibration.correct`,
};

/** What a column is, read from its name. */
export type ColumnRole =
  | { group: 'health'; metric: keyof typeof HEALTH }
  | { group: 'output'; output: string; part: 'predicted' | 'confidence' }
  | { group: 'output'; output: string; part: 'score'; cls: string }
  | { group: 'feedback'; output: string; part: 'confusion' }
  | { group: 'feedback'; output: string; part: 'score'; cls: string; label: string }
  | { group: 'feedback'; output: string; part: 'calibration'; which: 'all' | 'correct' }
  | { group: 'input' };

const HEALTH_BY_NAME = new Map(Object.entries(HEALTH).map(([metric, name]) => [name as string, metric as keyof typeof HEALTH]));
const FEEDBACK_PARTS: [RegExp, (m: RegExpExecArray) => ColumnRole][] = [
  [/^(.+)\.confusion$/, (m) => ({ group: 'feedback', output: m[1], part: 'confusion' })],
  [
    /^(.+)\.calibration\.(all|correct)$/,
    (m) => ({ group: 'feedback', output: m[1], part: 'calibration', which: m[2] as 'all' | 'correct' }),
  ],
  [/^(.+?)\.score\.(.+)\.label\.(.+)$/, (m) => ({ group: 'feedback', output: m[1], part: 'score', cls: m[2], label: m[3] })],
];
const OUTPUT_PARTS: [RegExp, (m: RegExpExecArray) => ColumnRole][] = [
  [/^(.+)\.(predicted|confidence)$/, (m) => ({ group: 'output', output: m[1], part: m[2] as 'predicted' | 'confidence' })],
  [/^(.+?)\.score\.(.+)$/, (m) => ({ group: 'output', output: m[1], part: 'score', cls: m[2] })],
];

/**
 * The role of a column the edge runtime names. An output's columns count only where `names` (the
 * version's columns) has its `<output>.predicted`, so that an input feature that happens to be
 * called `x.confidence` stays an input.
 */
export function parseColumn(name: string, names?: ReadonlySet<string>): ColumnRole {
  const metric = HEALTH_BY_NAME.get(name);
  if (metric) return { group: 'health', metric };
  if (name.startsWith(FEEDBACK)) {
    const rest = name.slice(FEEDBACK.length);
    for (const [re, role] of FEEDBACK_PARTS) {
      const m = re.exec(rest);
      if (m) return role(m);
    }
  }
  for (const [re, role] of OUTPUT_PARTS) {
    const m = re.exec(name);
    if (m && (names === undefined || names.has(columnName.predicted(m[1])))) return role(m);
  }
  return { group: 'input' };
}

/** The groups the dashboard and the report show a version's columns in. */
export const COLUMN_GROUPS = ['inputs', 'outputs', 'health', 'feedback'] as const;
export type ColumnGroup = (typeof COLUMN_GROUPS)[number];

/** The classifier outputs among a version's columns: every `<out>` with a `<out>.predicted`. */
export function outputsAmong(columns: readonly string[]): string[] {
  const names = new Set(columns);
  const out: string[] = [];
  for (const c of columns) {
    const role = parseColumn(c, names);
    if (role.group === 'output' && role.part === 'predicted') out.push(role.output);
  }
  return out;
}

export function groupOf(column: string, outputs: readonly string[]): ColumnGroup {
  const role = parseColumn(column);
  if (role.group === 'health' || role.group === 'feedback') return role.group;
  return role.group === 'output' && outputs.includes(role.output) ? 'outputs' : 'inputs';
}

/**
 * Whether a compared column can drift from the baseline at all: the baseline holds values of it
 * (not only rows where it is missing, as device-only health and feedback columns are in a
 * baseline built from training rows).
 */
export function hasBaselineValues(d: { count: [number, number]; missing_rate: [number, number] }): boolean {
  return d.count[0] > 0 && d.missing_rate[0] < 1;
}
