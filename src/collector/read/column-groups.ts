// Which group a model version's column belongs to, by the names the edge runtime gives them
// (read with the core's parser, edgewatch/columns): health.* (inference health), feedback.*
// (delayed labels), the columns of a classifier output (<out>.predicted, <out>.confidence,
// <out>.score.<class>), and the inputs — everything else.
import { parseColumn } from 'edgewatch';
import type { Core, Profile } from '../core.ts';
import type { NoiseScales } from './aggregate.ts';
import { outputsOf } from './outputs.ts';

export const GROUPS = ['inputs', 'outputs', 'health', 'feedback'] as const;
export type ColumnGroup = (typeof GROUPS)[number];

/** The classifier outputs of a profile (those with predicted and confidence columns, or feedback). */
export function outputNames(core: Core, p: Profile, noise: NoiseScales): string[] {
  return Object.keys(outputsOf(core, p, noise));
}

export function groupOf(column: string, outputs: readonly string[]): ColumnGroup {
  const role = parseColumn(column);
  if (role.group === 'health' || role.group === 'feedback') return role.group;
  return role.group === 'output' && outputs.includes(role.output) ? 'outputs' : 'inputs';
}
