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
