// A device whose clock runs minutes ahead (or behind) loses no window: the uploader reads the
// collector's clock from its responses' Date and sends each window as that clock places it.
// The real uploader, the real core and a real collector (PGlite in memory) on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { restamp } from '../../src/edge/restamp.ts';
import { MemoryStore } from '../../src/edge/store.ts';
import { Uploader } from '../../src/edge/uploader.ts';
import { BACKENDS } from '../collector/helpers/backends.ts';
import { startCollector, type Running } from '../collector/helpers/collector.ts';
import { makePayload, makeRows } from '../collector/helpers/payloads.ts';

const MIN = 60_000;

describe('clock skew on the device', () => {
  let core: Core;
  let c: Running;
  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(BACKENDS[0]);
  });
  afterAll(() => c?.stop());

  it.each([
    ['5 minutes ahead', 5 * MIN + 30_000],
    ['20 minutes ahead', 20 * MIN],
    ['1 hour behind', -60 * MIN],
  ])('a device clock %s uploads every window, placed on the collector clock', async (_, skew) => {
    const store = new MemoryStore();
    const deviceNow = () => Date.now() + skew;
    // Two windows just closed on the device's clock.
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const end = deviceNow() - (deviceNow() % MIN) - i * MIN;
      const uploadId = `skew-${skew}-${i}`;
      ids.push(uploadId);
      const bytes = makePayload(core, {
        deviceId: 'device-skewed',
        uploadId,
        windowStart: end - MIN,
        windowEnd: end,
        rows: makeRows(i, 20),
      });
      await store.putOutbox({ uploadId, group: 'g', windowStart: end - MIN, windowEnd: end, bytes, attempts: 0, notBefore: 0 });
    }
    const uploader = new Uploader({
      store,
      collector: c.url,
      apiKey: c.keys.ingest,
      lockName: 'skew',
      now: deviceNow,
      restamp: (b, s) => restamp(core, b, s),
      baseDelayMs: 10,
    });
    try {
      const reports = [];
      for (let pass = 0; pass < 3 && (await store.outbox()).length > 0; pass++) reports.push(await uploader.run());
      expect(await store.outbox()).toEqual([]);
      expect(reports.reduce((a, r) => a + r.rejected, 0)).toBe(0);
    } finally {
      uploader.close();
    }
    const rows = await c.collector.context.db.query<{ upload_id: string; window_end: number }>(
      'select upload_id, window_end from uploads where upload_id = any($1) order by upload_id',
      [ids],
    );
    expect(rows.map((r) => r.upload_id)).toEqual(ids);
    // The older window goes first, before the device has heard the collector's clock: it is
    // taken as stamped if the collector tolerates it, else refused for the clock and sent again
    // corrected. The newer one, sent after a response, is placed on the collector's clock: its
    // end moved by the skew, to within the Date header's second and the run's own duration.
    const now = Date.now();
    const newest = Number(rows.find((r) => r.upload_id === ids[0])!.window_end);
    expect(newest).toBeLessThanOrEqual(now + 2000);
    expect(newest).toBeGreaterThan(now - 2 * MIN);
  });

  it('the collector says which refusals are final', async () => {
    const post = (bytes: Uint8Array) =>
      fetch(`${c.url}/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.keys.ingest}`, 'content-type': 'application/octet-stream' },
        body: bytes as BodyInit,
      });
    const junk = await post(Uint8Array.from([1, 2, 3]));
    expect(await junk.json()).toMatchObject({ reason: 'decode', permanent: true });
    const ahead = makePayload(core, {
      deviceId: 'device-ahead',
      uploadId: 'upload-ahead',
      windowStart: Date.now() + 30 * MIN,
      rows: makeRows(1, 3),
    });
    const r = await post(ahead);
    expect(r.status).toBe(422);
    expect(await r.json()).toMatchObject({ reason: 'clock', permanent: false });
    expect(Date.parse(r.headers.get('date')!)).not.toBeNaN();
  });
});
