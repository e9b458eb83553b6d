// A project the dashboard tests look at, uploaded through the real ingest route with payloads
// recorded by the real core:
//   churn@1.0.0   baseline set; 8 devices, one window every 5 min over the last 50 min; region "eu" (4 devices) has ages
//                 20 years above the baseline, "us" (4) none; predictions, confidence, latency,
//                 feedback (not in the training rows); an alert rule on age drift, evaluated so it fires;
//                 five hours ago, PRIVATE_DEVICES private-mode (noisy) uploads on the collector's grid
//   vision@3.0.0  4 devices, no baseline, inference failures recorded
//   fraud@2.0.0   4 devices, no baseline, a freshness rule it cannot meet (threshold 0 s): stale
//   ranker@1.0.0  4 devices, no baseline, nothing wrong
//   tiny@0.1.0    2 devices: below k = 3, never shown
// and, for the canary tests only (seedCanary, added after the fleet's tests ran):
//   churn@1.1.0   4 devices from window CANARY_FIRST_WINDOW on, no baseline, one call in twenty
//                 failing, feedback with calibration histograms; rollback target 1.0.0; a
//                 calibration SLO
import type { ColumnSpec } from '../../src/core/types.ts';
import type { Core } from '../../src/collector/core.ts';
import { makeRows } from '../collector/helpers/payloads.ts';
import {
  CANARY_DEVICES,
  CANARY_FIRST_WINDOW,
  CANARY_METADATA,
  canaryRows,
  CHURN_DEVICES,
  CHURN_ROWS,
  CHURN_WINDOWS,
  CLASSES,
  PRIVATE_DEVICES,
  PRIVATE_NOISE_SCALE,
  churnRows,
  churnShift,
  churnWindowStart,
  privateWindowStart,
} from './churn-rows.ts';
import { post, type Running } from '../collector/helpers/collector.ts';

const MIN = 60_000;

export const CHURN_COLUMNS: ColumnSpec[] = [
  { name: 'age', kind: 'numeric' },
  { name: 'income', kind: 'numeric' },
  { name: 'plan', kind: 'categorical' },
  { name: 'scores.predicted', kind: 'categorical', vocabulary: CLASSES },
  { name: 'scores.confidence', kind: 'grid' },
  { name: 'health.latency_ms', kind: 'numeric' },
  { name: 'health.failure', kind: 'categorical', vocabulary: ['input', 'inference', 'output', 'recording'] },
  { name: 'feedback.scores.confusion', kind: 'categorical', vocabulary: CLASSES.flatMap((t) => CLASSES.map((p) => `${t}|${p}`)) },
];

function payload(core: Core, columns: ColumnSpec[], rows: Record<string, unknown>[], meta: Record<string, string>): Uint8Array {
  const p = core.profile({ columns });
  try {
    p.recordRows(rows as never);
    p.meta = meta;
    return p.toBytes();
  } finally {
    p.dispose();
  }
}

async function upload(c: Running, bytes: Uint8Array): Promise<void> {
  const r = await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes);
  if (r.status !== 200) throw new Error(`upload refused: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Devices record on the grid the collector derives from the baseline, add noise and upload. */
async function seedPrivate(core: Core, c: Running, now: number): Promise<void> {
  const res = await fetch(`${c.url}/v1/grid/churn/1.0.0`, { headers: { authorization: `Bearer ${c.keys.ingest}` } });
  const grid = (await res.json()).columns as Record<string, { edges?: number[]; vocabulary?: string[] }>;
  // A column the training rows never filled (latency) gets no edges: the devices leave it out.
  const columns = Object.entries(grid)
    .filter(([, g]) => !g.edges || g.edges.length > 0)
    .map(
      ([name, g]): ColumnSpec =>
        g.edges ? { name, kind: 'grid', edges: g.edges } : { name, kind: 'categorical', vocabulary: g.vocabulary! },
    );
  const windowStart = privateWindowStart(now);
  for (let d = 0; d < PRIVATE_DEVICES; d++) {
    const p = core.profile({ columns });
    try {
      p.recordRows(churnRows(900 + d, CHURN_ROWS, 0, true) as never);
      p.addNoise(PRIVATE_NOISE_SCALE);
      p.meta = {
        model: 'churn',
        modelVersion: '1.0.0',
        windowStart: String(windowStart),
        windowEnd: String(windowStart + MIN),
        deviceId: `device-churn-${d}`,
        uploadId: `upload-churn-private-${d}`,
        privacy: JSON.stringify({ mode: 'dp', epsilon: 1, noiseScale: PRIVATE_NOISE_SCALE }),
      };
      await upload(c, p.toBytes());
    } finally {
      p.dispose();
    }
  }
}

const INCOME: ColumnSpec[] = [{ name: 'income', kind: 'numeric' }];

/** One window of ranker@1.0.0 from one device, ten minutes ago. */
export async function uploadRankerDevice(core: Core, c: Running, device: string, now = Date.now()): Promise<void> {
  const windowStart = now - (now % MIN) - 10 * MIN;
  const rows = makeRows(800 + device.length, 80).map((r) => ({ income: r.income }));
  await upload(
    c,
    payload(core, INCOME, rows, {
      model: 'ranker',
      modelVersion: '1.0.0',
      windowStart: String(windowStart),
      windowEnd: String(windowStart + MIN),
      deviceId: `device-ranker-${device}`,
      uploadId: `upload-ranker-${device}-${windowStart}`,
    }),
  );
}

export async function seedProject(core: Core, c: Running, now = Date.now()): Promise<void> {
  // The baseline fixes the version's columns; training rows carry no latency or feedback.
  const baseline = core.profile({ columns: CHURN_COLUMNS });
  baseline.recordRows(churnRows(100, 3000, 0, false) as never);
  const res = await fetch(`${c.url}/v1/models/churn/versions/1.0.0/baseline`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/octet-stream' },
    body: baseline.toBytes() as BodyInit,
  });
  baseline.dispose();
  if (res.status !== 200) throw new Error(`baseline refused: ${res.status} ${await res.text()}`);

  const send = async (
    model: string,
    version: string,
    device: string,
    windowStart: number,
    columns: ColumnSpec[],
    rows: Record<string, unknown>[],
    segment?: Record<string, string>,
  ) => {
    const bytes = payload(core, columns, rows, {
      model,
      modelVersion: version,
      windowStart: String(windowStart),
      windowEnd: String(windowStart + MIN),
      deviceId: `device-${model}-${device}`,
      uploadId: `upload-${model}-${device}-${windowStart}`,
      ...(segment ? { segment: JSON.stringify(segment) } : {}),
    });
    await upload(c, bytes);
  };

  const start = churnWindowStart(now, 0);
  for (let w = 0; w < CHURN_WINDOWS; w++) {
    for (let d = 0; d < CHURN_DEVICES; d++) {
      const eu = d < 4;
      await send(
        'churn',
        '1.0.0',
        String(d),
        churnWindowStart(now, w),
        CHURN_COLUMNS,
        churnRows(w * 100 + d, CHURN_ROWS, churnShift(d), true),
        { region: eu ? 'eu' : 'us' },
      );
    }
  }
  await seedPrivate(core, c, now);
  const plain: ColumnSpec[] = [
    { name: 'income', kind: 'numeric' },
    { name: 'health.failure', kind: 'categorical', vocabulary: ['input', 'inference', 'output', 'recording'] },
  ];
  for (let d = 0; d < 4; d++) {
    const rows = makeRows(500 + d, 80).map((r, i) => ({ income: r.income, 'health.failure': i % 20 === 0 ? 'inference' : null }));
    await send('vision', '3.0.0', String(d), start + 20 * MIN, plain, rows);
    await send(
      'fraud',
      '2.0.0',
      String(d),
      start + 30 * MIN,
      plain.slice(0, 1),
      makeRows(600 + d, 80).map((r) => ({ income: r.income })),
    );
    await uploadRankerDevice(core, c, String(d), now);
  }
  for (let d = 0; d < 2; d++)
    await send(
      'tiny',
      '0.1.0',
      String(d),
      start + 30 * MIN,
      plain.slice(0, 1),
      makeRows(700 + d, 50).map((r) => ({ income: r.income })),
    );

  const rules = [
    { name: 'age-drift', metric: 'drifted', column: 'age', op: '>=', threshold: 1, for: 1, severity: 'ticket', owner: 'ml-team' },
    {
      name: 'fraud-fresh',
      metric: 'freshness_seconds',
      model: 'fraud',
      op: '>',
      threshold: 0,
      for: 1,
      severity: 'ticket',
      owner: 'data-team',
    },
  ];
  for (const rule of rules) {
    const put = await fetch(`${c.url}/v1/alerts/rules/${rule.name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });
    if (put.status !== 200) throw new Error(`rule ${rule.name} refused: ${put.status} ${await put.text()}`);
  }
  await c.collector.runAlerts(now);
}

const CANARY_COLUMNS: ColumnSpec[] = [
  ...CHURN_COLUMNS,
  { name: 'feedback.scores.calibration.all', kind: 'grid', edges: Array.from({ length: 11 }, (_, i) => i / 10) },
  { name: 'feedback.scores.calibration.correct', kind: 'grid', edges: Array.from({ length: 11 }, (_, i) => i / 10) },
];

/** churn@1.1.0, a canary of churn@1.0.0 over the seed's later windows, and both versions' metadata. */
export async function seedCanary(core: Core, c: Running, now: number): Promise<void> {
  for (let w = CANARY_FIRST_WINDOW; w < CHURN_WINDOWS; w++) {
    for (let d = 0; d < CANARY_DEVICES; d++) {
      const start = churnWindowStart(now, w);
      await upload(
        c,
        payload(core, CANARY_COLUMNS, canaryRows(w, d), {
          model: 'churn',
          modelVersion: '1.1.0',
          windowStart: String(start),
          windowEnd: String(start + MIN),
          deviceId: `device-churn-canary-${d}`,
          uploadId: `upload-churn-canary-${d}-${start}`,
          segment: JSON.stringify({ region: d < 2 ? 'eu' : 'us' }),
        }),
      );
    }
  }
  const put = (version: string, body: unknown) =>
    fetch(`${c.url}/v1/models/churn/versions/${version}/metadata`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  for (const [version, body] of [
    ['1.1.0', CANARY_METADATA],
    ['1.0.0', { owner: 'ml-team', criticality: 'high', trainingSnapshot: 'churn-train-2026-10-01', schemaVersion: 'features-v3' }],
  ] as const) {
    const res = await put(version, body);
    if (res.status !== 200) throw new Error(`metadata refused: ${res.status} ${await res.text()}`);
  }
  // A calibration SLO on the canary: its ECE held at 0.05 or below.
  const slo = await fetch(`${c.url}/v1/slos/churn-calibrated`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'churn-calibrated',
      model: 'churn',
      version: '1.1.0',
      indicator: 'calibration',
      objective: 0.95,
      owner: 'ml-team',
    }),
  });
  if (slo.status !== 200) throw new Error(`SLO refused: ${slo.status} ${await slo.text()}`);
}

/**
 * schemas@1.0.0: three devices upload windows of age and plan, plan recorded as a number; then a
 * baseline of age, income and plan (categorical) is set: one column missing, one of another kind.
 */
export async function seedSchemaChange(core: Core, c: Running, now = Date.now()): Promise<void> {
  const windowStart = now - (now % MIN) - 10 * MIN;
  const columns: ColumnSpec[] = [
    { name: 'age', kind: 'numeric', center: 0 },
    { name: 'plan', kind: 'numeric', center: 0 },
  ];
  for (let d = 0; d < 3; d++) {
    const rows = makeRows(1100 + d, 80).map((r, i) => ({ age: r.age, plan: i % 4 }));
    await upload(
      c,
      payload(core, columns, rows, {
        model: 'schemas',
        modelVersion: '1.0.0',
        windowStart: String(windowStart),
        windowEnd: String(windowStart + MIN),
        deviceId: `device-schemas-${d}`,
        uploadId: `upload-schemas-${d}`,
      }),
    );
  }
  const baseline = core.profile({
    columns: [
      { name: 'age', kind: 'numeric' },
      { name: 'income', kind: 'numeric' },
      { name: 'plan', kind: 'categorical' },
    ],
  });
  baseline.recordRows(makeRows(1000, 500) as never);
  const res = await fetch(`${c.url}/v1/models/schemas/versions/1.0.0/baseline`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${c.keys.admin}`, 'content-type': 'application/octet-stream' },
    body: baseline.toBytes() as BodyInit,
  });
  baseline.dispose();
  if (res.status !== 200) throw new Error(`baseline refused: ${res.status} ${await res.text()}`);
}
