// Which group a model version's column belongs to, by the names the edge runtime gives them
// (docs/edge.md): health.* (inference health), feedback.* (delayed labels), the columns of a
// classifier output (<out>.predicted, <out>.confidence, <out>.score.<class>), and the inputs —
// everything else. Declared here, where the collector and the dashboard both read it.

export const COLUMN_GROUPS = ['inputs', 'outputs', 'health', 'feedback'] as const;
export type ColumnGroup = (typeof COLUMN_GROUPS)[number];

/** The classifier outputs among a version's columns: every `<out>` with a `<out>.predicted`. */
export function outputsAmong(columns: readonly string[]): string[] {
  return columns.filter((c) => c.endsWith('.predicted') && !c.startsWith('feedback.')).map((c) => c.slice(0, -'.predicted'.length));
}

export function groupOf(column: string, outputs: readonly string[]): ColumnGroup {
  if (column.startsWith('health.')) return 'health';
  if (column.startsWith('feedback.')) return 'feedback';
  return outputs.some((o) => column.startsWith(`${o}.`)) ? 'outputs' : 'inputs';
}

/**
 * Whether a compared column can drift from the baseline at all: the baseline holds values of it
 * (not only rows where it is missing, as device-only health and feedback columns are in a
 * baseline built from training rows).
 */
export function hasBaselineValues(d: { count: [number, number]; missing_rate: [number, number] }): boolean {
  return d.count[0] > 0 && d.missing_rate[0] < 1;
}
