// Number and time formatting. Formatting only: every value shown comes from the collector.

export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function count(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Math.round(v).toLocaleString('en-US');
}

export function pvalue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v < 1e-4) return '< 0.0001';
  return v.toFixed(4);
}

export function percent(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return `${(v * 100).toFixed(v < 0.01 && v > 0 ? 2 : 1)}%`;
}

export function time(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function timeRange(from: number, to: number): string {
  return `${time(from)} – ${time(to)}`;
}

/** "3 min ago": how long since a timestamp. */
export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function segmentLabel(segment?: Record<string, string> | null): string {
  if (!segment || !Object.keys(segment).length) return 'all traffic';
  return Object.entries(segment)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The verdict's test as people read it, e.g. 'ks.pvalue' → 'KS p-value'. */
export function testName(test: string): string {
  const names: Record<string, string> = {
    'ks.pvalue': 'KS p-value',
    'chi2.pvalue': 'χ² p-value',
    wasserstein_norm: 'Wasserstein / std',
    js: 'Jensen–Shannon',
  };
  return names[test] ?? test;
}
