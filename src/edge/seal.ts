// A secure-mode window turned into its report (core/secure-report.ts) just before its first
// upload, once: the outbox then keeps the report, so a retry after a lost answer sends the same
// report id, which the leader recognises, instead of a second report of the same window.
import type { Core } from '../core/index.ts';
import { sealReport } from '../core/secure-report.ts';
import type { ResolvedOptions } from './options.ts';
import { cellsPerEvent } from './privacy.ts';
import type { OutboxEntry } from './store.ts';

export async function sealWindow(core: Core, o: ResolvedOptions, e: OutboxEntry): Promise<OutboxEntry> {
  const p = o.privacy;
  if (p.mode !== 'secure') throw new Error('edgewatch: only secure-mode windows are sealed');
  const window = core.profileFromBytes(e.bytes);
  try {
    const meta = window.meta;
    const batch = {
      model: o.modelId,
      version: o.modelVersion,
      segment: JSON.parse(meta.segment ?? '{}') as Record<string, string>,
      windowStart: Number(meta.windowStart),
      windowEnd: Number(meta.windowEnd),
    };
    const params = { epsilon: p.epsilon, maxRowsPerWindow: p.maxRowsPerWindow, cellsPerEvent: cellsPerEvent(window.columnNames) };
    const report = await sealReport(core, window, p.helperKey, batch, params);
    return { ...e, bytes: new TextEncoder().encode(JSON.stringify(report)), sealed: true };
  } finally {
    window.dispose();
  }
}
