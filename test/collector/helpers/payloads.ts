// Realistic uploads built with the real core: seeded random rows, recorded into a profile, the
// header set in `meta`, encoded. Tests keep the raw rows as the independent truth.
import type { ColumnSpec } from '../../../src/core/types.ts';
import type { Core } from '../../../src/collector/core.ts';

export type Row = { age: number | null; income: number; plan: string };

// Explicit centers, as the edge runtime records: windows of many devices must merge.
export const COLUMNS: ColumnSpec[] = [
  { name: 'age', kind: 'numeric', center: 0 },
  { name: 'income', kind: 'numeric', center: 0 },
  { name: 'plan', kind: 'categorical' },
];

import { rng } from '../../helpers/random.ts';

export { rng };

const PLANS = ['free', 'pro', 'team', 'enterprise'];

/** Rows whose age is shifted by `shift` years: the drift knob. */
export function makeRows(seed: number, n: number, shift = 0): Row[] {
  const r = rng(seed);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    rows.push({
      age: r() < 0.05 ? null : Math.round(40 + shift + 12 * normal),
      income: Math.round(1000 * Math.exp(3 + r())) / 10,
      plan: PLANS[Math.floor(r() ** 2 * PLANS.length)],
    });
  }
  return rows;
}

export interface UploadSpec {
  deviceId: string;
  uploadId: string;
  windowStart: number;
  windowEnd?: number;
  model?: string;
  version?: string;
  segment?: Record<string, string>;
  rows: Row[];
  columns?: ColumnSpec[];
  meta?: Record<string, string>;
}

export function makePayload(core: Core, u: UploadSpec): Uint8Array {
  const p = core.profile({ columns: u.columns ?? COLUMNS });
  try {
    p.recordRows(u.rows);
    p.meta = {
      model: u.model ?? 'churn',
      modelVersion: u.version ?? '1.0.0',
      windowStart: String(u.windowStart),
      windowEnd: String(u.windowEnd ?? u.windowStart + 60_000),
      deviceId: u.deviceId,
      uploadId: u.uploadId,
      ...(u.segment ? { segment: JSON.stringify(u.segment) } : {}),
      ...u.meta,
    };
    return p.toBytes();
  } finally {
    p.dispose();
  }
}

/** A profile of raw rows recorded in one go: what merging the uploads must equal. */
export function profileOfRows(core: Core, rows: Row[], columns: ColumnSpec[] = COLUMNS) {
  const p = core.profile({ columns });
  p.recordRows(rows);
  return p;
}
