// The rollup of a flooded hour next to live traffic, in one process on PGlite (one connection):
// a closed hour holding BENCH_ROLLUP_UPLOADS uploads of 1,024 numeric columns is folded into its
// hourly rollup while 10 valid devices upload a small window each, back to back. Printed: how
// long the fold took and the valid uploads' p50/p99 during it, against the same uploads at rest
// just before (the peer). Goal: valid p99 during the fold within a few times its p99 at rest.
import { createCollector } from '../src/collector/server.ts';
import { createKey } from '../src/collector/keys.ts';
import { loadCore } from '../src/core/index.ts';
import { table } from './lib/table.ts';

const UPLOADS = Number(process.env.BENCH_ROLLUP_UPLOADS ?? 300);
const COLUMNS = 1024;
const MIN = 60_000;
const HOUR = 60 * MIN;

type Core = Awaited<ReturnType<typeof loadCore>>;

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

function upload(core: Core, columns: number, rows: number, meta: Record<string, string>, seed: number): Uint8Array {
  const prof = core.profile({
    columns: Array.from({ length: columns }, (_, i) => ({ name: `f${i}`, kind: 'numeric' as const, center: 0 })),
  });
  const data: Record<string, Float64Array> = {};
  let s = seed;
  for (let i = 0; i < columns; i++)
    data[`f${i}`] = Float64Array.from({ length: rows }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 100);
  prof.recordColumns(data);
  prof.meta = { model: meta.model, modelVersion: '1', windowEnd: String(Number(meta.windowStart) + MIN), ...meta };
  const bytes = prof.toBytes();
  prof.dispose();
  return bytes;
}

export async function run(): Promise<void> {
  const core = await loadCore();
  const c = await createCollector({
    dataDir: 'memory://',
    alertIntervalMs: 0,
    rollupIntervalMs: 0,
    rateLimitPerDevice: 0,
    rateLimitNewDevicesPerAddress: 0,
  });
  try {
    const url = await c.app.listen({ host: '127.0.0.1', port: 0 });
    const { key } = await createKey(c.context.db, { project: 'bench', kind: 'ingest' });
    const post = async (body: Uint8Array) => {
      const t = performance.now();
      const r = await fetch(`${url}/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
        body: body as BodyInit,
      });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
      return performance.now() - t;
    };
    // The flooded hour: the last closed one, so the round folds it.
    const now = Date.now();
    const hour = now - (now % HOUR) - HOUR;
    const wide = upload(
      core,
      COLUMNS,
      20,
      { model: 'wide', windowStart: String(hour), deviceId: 'wide-device-0', uploadId: 'wide-upload-00000000' },
      1,
    );
    for (let i = 0; i < UPLOADS; i++) {
      const body = Buffer.from(wide);
      body.write(`wide-device-${i % 8}`.padEnd(13, '0').slice(0, 13), body.indexOf('wide-device-0'), 'latin1');
      body.write(String(i).padStart(8, '0'), body.indexOf('wide-upload-') + 12, 'latin1');
      await post(body);
    }
    // Valid devices: a small window of the open hour each (the round folds only the flooded one).
    let n = 0;
    const open = Math.max(now - (now % HOUR), now - (now % MIN) - MIN);
    const valid = () => {
      const i = n++;
      const meta = { model: 'small', windowStart: String(open), deviceId: `small-device-${i}`, uploadId: `small-upload-${i}` };
      return upload(core, 25, 20, meta, i);
    };
    const traffic = async (until: () => boolean) => {
      const ms: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (!until()) ms.push(await post(valid()));
        }),
      );
      return ms;
    };
    const restEnd = Date.now() + 5_000;
    const rest = await traffic(() => Date.now() > restEnd);
    let folding = true;
    const t = performance.now();
    const fold = c.runRollups(now).finally(() => (folding = false));
    const during = await traffic(() => !folding);
    const folded = await fold;
    const took = performance.now() - t;
    console.log(
      `rollup of a closed hour of ${UPLOADS} uploads of ${COLUMNS} numeric columns (${folded} folded) in ${(took / 1000).toFixed(1)} s\n`,
    );
    console.log(
      table(
        ['valid uploads', 'samples', 'p50', 'p99', 'p99 / at rest'],
        [
          ['at rest', String(rest.length), `${p(rest, 0.5).toFixed(1)} ms`, `${p(rest, 0.99).toFixed(1)} ms`, '1×'],
          [
            'during the fold',
            String(during.length),
            `${p(during, 0.5).toFixed(1)} ms`,
            `${p(during, 0.99).toFixed(1)} ms`,
            `${(p(during, 0.99) / p(rest, 0.99)).toFixed(1)}×`,
          ],
        ],
        [false, true, true, true, true],
      ),
    );
    console.log();
  } finally {
    await c.close();
  }
}
