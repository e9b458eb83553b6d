// With background alert rounds, /metrics reports the latest round's states: every scrape between
// two rounds answers that round's figures (the gauges are set once per round, not per scrape),
// and the next scrape after a round carries the new round's figures; each round is timed.
import { describe, expect, it } from 'vitest';
import { sharedCore } from '../../src/collector/core.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, startCollector } from './helpers/collector.ts';
import { makePayload, makeRows } from './helpers/payloads.ts';

const MIN = 60_000;

describe.each(BACKENDS)('scrapes between alert rounds on $name', (backend) => {
  it("answers the latest round's figures, and the next round's once it ends", async () => {
    const core = await sharedCore();
    // Rounds every hour: within the test only the rounds it runs itself happen.
    const c = await startCollector(backend, { alertIntervalMs: 3_600_000, kAnonymity: 1, metricsToken: 'scrape' });
    try {
      const windowStart = Date.now() - (Date.now() % MIN) - 2 * MIN;
      const send = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const bytes = makePayload(core, { deviceId: `device-${i}-abc`, uploadId: `upload-${i}-abc`, windowStart, rows: makeRows(i, 20) });
          expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
        }
      };
      const uploads = async () => {
        const m = (await get(`${c.url}/metrics`, 'scrape')).body as string;
        const line = /^edgewatch_model_uploads\{[^}]*model="churn"[^}]*window="1h"[^}]*\} (\d+)$/m.exec(m);
        return line ? Number(line[1]) : null;
      };
      await send(0, 3);
      await c.collector.runAlerts();
      expect(await uploads()).toBe(3);
      await send(3, 5);
      // Stored, but no round has seen them: every scrape still answers the round's figures.
      expect(await uploads()).toBe(3);
      expect(await uploads()).toBe(3);
      await c.collector.runAlerts();
      expect(await uploads()).toBe(5);
      // Each round's evaluation is timed: two rounds so far (the scrapes shared them).
      const m = (await get(`${c.url}/metrics`, 'scrape')).body as string;
      expect(/^edgewatch_evaluation_duration_seconds_count (\d+)$/m.exec(m)?.[1]).toBe('2');
    } finally {
      await c.stop();
    }
  });
});
