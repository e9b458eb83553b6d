// Orders columns by how far their drift verdict is past (or short of) its threshold. The
// verdict, its value and its threshold are the core's; this only decides the order of rows.
import type { ColumnDrift } from 'edgewatch';

const isPvalueTest = (test: string) => test.endsWith('pvalue');

/** Larger is more severe. Only used to sort; never shown. */
export function severityKey(d: ColumnDrift | undefined): number {
  if (!d) return -Infinity;
  const { value, threshold, test } = d.drifted;
  if (!Number.isFinite(value)) return -1e9;
  const ratio = isPvalueTest(test) ? threshold / Math.max(value, 1e-300) : value / Math.max(threshold, 1e-300);
  return (d.drifted.drifted ? 1e6 : 0) + Math.log10(Math.max(ratio, 1e-300));
}

export function rankColumns<T extends { drift?: ColumnDrift; name: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => severityKey(b.drift) - severityKey(a.drift) || a.name.localeCompare(b.name));
}

/** The p-value a column's test reports (KS or chi-square). */
export function pvalueOf(d: ColumnDrift): number {
  return d.kind === 'numeric' ? d.ks.pvalue : d.chi2.pvalue;
}

/** The test statistic beside that p-value (KS D or chi-square). */
export function statisticOf(d: ColumnDrift): { name: string; value: number } {
  return d.kind === 'numeric' ? { name: 'KS D', value: d.ks.statistic } : { name: 'χ²', value: d.chi2.statistic };
}
