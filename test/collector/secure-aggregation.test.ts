// The secure mode end to end, on two real aggregator processes (a leader and a helper, each with
// its own database: PGlite, then PostgreSQL): devices' reports go to the leader, which forwards each helper share; once a
// batch's window and grace period are over, the two release its noisy sum, and the leader stores
// it as an upload that the read API answers. Checked against the exact sum of the devices' cells,
// with the refused reports (replayed, truncated, moved to another batch, sealed to another key,
// late) changing nothing, and each aggregator's database holding no device's cells.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCore, type Core } from '../../src/core/index.ts';
import {
  cellVector,
  helperKeyPair,
  layoutMeta,
  sealReport,
  sha256Hex,
  type HelperKey,
  type SecureBatch,
  type SecureParams,
  type SecureReport,
} from '../../src/core/secure.ts';
import { createKey } from '../../src/collector/keys.ts';
import { openStorage, type StorageOptions } from '../../src/collector/storage/open.ts';
import { type Backend, BACKENDS, postgresServerUrl } from './helpers/backends.ts';
import { freshDatabase } from './helpers/postgres.ts';
import { freePort, spawnCollector, type CollectorProcess } from './helpers/process.ts';
import { rng } from '../helpers/random.ts';

const TOKEN = 'peer-token-for-the-test-0123456789';
const WINDOW = 10_000;
const GRACE = 10_000;
const EDGES = [10, 20, 30, 40, 50];
const PLANS = ['basic', 'pro', 'team'];
const C = 20;

let core: Core;
let helper: CollectorProcess;
let leader: CollectorProcess;
let storages: StorageOptions[];
let drops: (() => Promise<void>)[];
let keys: { ingest: string; read: string; admin: string };
let helperKey: HelperKey;

function spawnArgs(role: string, port: number, storage: StorageOptions, extra: string[] = []) {
  return [
    '--role',
    role,
    '--peer-token',
    TOKEN,
    '--port',
    String(port),
    ...(storage.databaseUrl ? ['--database-url', storage.databaseUrl] : ['--data-dir', storage.dataDir!]),
    '--secure-grace-ms',
    String(GRACE),
    '--k-anonymity',
    '5',
    ...extra,
  ];
}

/** Each aggregator's own database: two PGlite directories, or two databases on one PostgreSQL. */
async function databases(backend: Backend['name']): Promise<void> {
  if (backend === 'pglite') {
    const dirs = [mkdtempSync(join(tmpdir(), 'ew-helper-')), mkdtempSync(join(tmpdir(), 'ew-leader-'))];
    storages = dirs.map((dataDir) => ({ dataDir }));
    drops = dirs.map((d) => async () => rmSync(d, { recursive: true, force: true }));
    return;
  }
  const made = await Promise.all([freshDatabase(postgresServerUrl()), freshDatabase(postgresServerUrl())]);
  storages = made.map((m) => ({ databaseUrl: m.url }));
  drops = made.map((m) => m.drop);
}

async function startPair(backend: Backend['name']) {
  core = await loadCore();
  await databases(backend);
  const db = await openStorage(storages[1]);
  keys = {
    ingest: (await createKey(db, { project: 'alpha', kind: 'ingest' })).key,
    read: (await createKey(db, { project: 'alpha', kind: 'read' })).key,
    admin: (await createKey(db, { project: 'alpha', kind: 'admin' })).key,
  };
  await db.close();
  helper = await spawnCollector(spawnArgs('helper', await freePort(), storages[0]));
  leader = await spawnCollector(spawnArgs('leader', await freePort(), storages[1], ['--helper-url', helper.url]));
  helperKey = (await (await fetch(`${helper.url}/v1/hpke-config`)).json()) as HelperKey;
  // The model's version is registered by its baseline; devices record on the grid it implies.
  const baseline = core.profile({
    columns: [
      { name: 'age', kind: 'grid', edges: EDGES },
      { name: 'plan', kind: 'categorical', vocabulary: PLANS },
    ],
  } as never);
  baseline.recordRows(Array.from({ length: 50 }, (_, i) => ({ age: 10 + i, plan: PLANS[i % 3] })));
  const res = await fetch(`${leader.url}/v1/models/churn/versions/1.0.0/baseline`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/octet-stream' },
    body: baseline.toBytes() as BodyInit,
  });
  expect(res.status).toBe(200);
}

async function stopPair() {
  for (const p of [leader, helper]) {
    if (p?.child.exitCode === null) p.child.kill('SIGTERM');
    await p?.exited;
  }
  for (const drop of drops ?? []) await drop();
}

/** One device's window: up to C rows on the grid, as the edge records in the secure mode. */
function deviceWindow(seed: number) {
  const r = rng(seed);
  const p = core.profile({
    columns: [
      { name: 'age', kind: 'grid', edges: EDGES },
      { name: 'plan', kind: 'categorical', vocabulary: PLANS },
    ],
  } as never);
  const n = 1 + Math.floor(r() * C);
  p.recordRows(Array.from({ length: n }, () => ({ age: r() < 0.1 ? null : r() * 60, plan: PLANS[Math.floor(r() * 3)] })));
  return p;
}

async function send(report: unknown) {
  const res = await fetch(`${leader.url}/v1/secure/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function profileOf(segment: Record<string, string>, from: number) {
  const hour = from - (from % 3_600_000);
  const q = new URLSearchParams({ from: String(hour), to: String(hour + 3_600_000), segment: JSON.stringify(segment) });
  const res = await fetch(`${leader.url}/v1/models/churn/versions/1.0.0/profile?${q}`, {
    headers: { authorization: `Bearer ${keys.read}` },
  });
  return (await res.json()) as Record<string, any>;
}

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.each(BACKENDS.map((b) => b.name))('secure mode with a leader and a helper process on %s', (backend) => {
  beforeAll(() => startPair(backend), 60_000);
  afterAll(() => stopPair());

  it('releases the exact sum of the accepted reports plus noise, and refuses every bad report', async () => {
    const now = Date.now();
    const start = now - (now % WINDOW);
    const batch = (segment: Record<string, string>): SecureBatch => ({
      model: 'churn',
      version: '1.0.0',
      segment,
      windowStart: start,
      windowEnd: start + WINDOW,
    });
    // A large ε makes the noise almost surely zero in every cell (scale C·k/ε = 0.04: a cell is
    // off with probability ~1e-11), so the release must equal the exact sum.
    const sharp: SecureParams = { epsilon: 1000, maxRowsPerWindow: C, cellsPerEvent: 2 };
    const truth = new BigInt64Array(4 + EDGES.length + 1 + 1 + PLANS.length + 1);
    const reports: SecureReport[] = [];
    for (let d = 0; d < 30; d++) {
      const w = deviceWindow(d);
      cellVector(w).forEach((c, i) => (truth[i] += c));
      reports.push(await sealReport(core, w, helperKey, batch({ region: 'eu' }), sharp));
      w.dispose();
    }
    for (const r of reports) expect((await send(r)).status).toBe(201);

    // Refused, each with a reason, none stored:
    const replay = await send(reports[0]);
    expect(replay).toMatchObject({ status: 409, body: { reason: 'replay' } });
    const extra = deviceWindow(99);
    const fresh = () => sealReport(core, extra, helperKey, batch({ region: 'eu' }), sharp);
    const cut = await fresh();
    const truncated = await send({ ...cut, leaderShare: cut.leaderShare.slice(0, -11) });
    expect(truncated.status).toBe(400);
    expect(String(truncated.body.error)).toMatch(/leaderShare/);
    const cutSeal = await fresh();
    const truncatedSeal = await send({
      ...cutSeal,
      helperShare: { ...cutSeal.helperShare, ciphertext: cutSeal.helperShare.ciphertext.slice(0, -4) },
    });
    expect(truncatedSeal).toMatchObject({ status: 400, body: { reason: 'report' } });
    // Moved to another batch: the layout can be rebuilt for it, but the helper's share is bound
    // to the batch it was sealed for.
    const moved = await fresh();
    const other = batch({ region: 'us' });
    const layout = core.profileFromBytes(Buffer.from(moved.layout, 'base64url'));
    layout.replaceMeta(layoutMeta(other, sharp));
    const movedLayout = layout.toBytes();
    layout.dispose();
    const movedRes = await send({
      ...moved,
      batch: other,
      layout: Buffer.from(movedLayout).toString('base64url'),
      layoutHash: await sha256Hex(movedLayout),
    });
    expect(movedRes).toMatchObject({ status: 400, body: { reason: 'report' } });
    expect(String(movedRes.body.error)).toMatch(/helper: .*does not open/);
    // Sealed to a key that is not the helper's (with the helper's key id, or its own).
    const stranger = (await helperKeyPair(crypto.getRandomValues(new Uint8Array(32)))).key;
    const wrongKey = await sealReport(core, extra, { ...stranger, id: helperKey.id }, batch({ region: 'eu' }), sharp);
    expect(await send(wrongKey)).toMatchObject({ status: 400, body: { reason: 'report' } });
    const otherId = await sealReport(core, extra, stranger, batch({ region: 'eu' }), sharp);
    expect(await send(otherId)).toMatchObject({ status: 400, body: { reason: 'report' } });
    // A layout that carries data, or that says more than the batch.
    const leaky = await fresh();
    const leakyLayout = core.profileFromBytes(Buffer.from(leaky.layout, 'base64url'));
    leakyLayout.replaceMeta({ ...layoutMeta(batch({ region: 'eu' }), sharp), deviceId: 'device-1234' });
    const leakyBytes = leakyLayout.toBytes();
    leakyLayout.dispose();
    expect(
      await send({ ...leaky, layout: Buffer.from(leakyBytes).toString('base64url'), layoutHash: await sha256Hex(leakyBytes) }),
    ).toMatchObject({
      status: 400,
    });
    expect(await send({ ...(await fresh()), batch: { ...batch({ region: 'eu' }), windowStart: start + 1 } })).toMatchObject({
      status: 422,
      body: { reason: 'window' },
    });
    expect((await send({ nonsense: true })).status).toBe(400);

    // Two more batches of the same window: one with fewer than k reports, one at ε = 1.
    for (let d = 0; d < 3; d++)
      expect((await send(await sealReport(core, deviceWindow(200 + d), helperKey, batch({ region: 'tiny' }), sharp))).status).toBe(201);
    const loose: SecureParams = { epsilon: 1, maxRowsPerWindow: C, cellsPerEvent: 2 };
    const looseTruth = new BigInt64Array(truth.length);
    for (let d = 0; d < 12; d++) {
      const w = deviceWindow(300 + d);
      cellVector(w).forEach((c, i) => (looseTruth[i] += c));
      expect((await send(await sealReport(core, w, helperKey, batch({ region: 'noisy' }), loose))).status).toBe(201);
      w.dispose();
    }
    extra.dispose();

    const released = await waitFor(async () => {
      const p = await profileOf({ region: 'eu' }, start);
      return p.suppressed === false ? p : undefined;
    }, 'the release of the eu batch');
    expect(released.devices).toBe(30);
    expect(released.privacy.noisyUploads).toBe(2); // one noise draw per aggregator
    const age = released.columns.age;
    const plan = released.columns.plan;
    expect(age.missing).toBe(Number(truth[0]));
    expect(age.counts).toEqual(Array.from(truth.slice(4, 4 + EDGES.length + 1), Number));
    expect(plan.missing).toBe(Number(truth[4 + EDGES.length + 1]));
    expect(plan.items.map((t: { value: string; count: number }) => [t.value, t.count]).sort()).toEqual(
      [...PLANS, '__other__'].map((v, i) => [v, Number(truth[4 + EDGES.length + 2 + i])]).sort(),
    );

    // The batch is decided: a report for it now is refused, and the release stays as it was.
    const late = await sealReport(core, deviceWindow(400), helperKey, batch({ region: 'eu' }), sharp);
    expect(await send(late)).toMatchObject({ status: 409, body: { reason: 'batch_closed' } });

    const noisy = await waitFor(async () => {
      const p = await profileOf({ region: 'noisy' }, start);
      return p.suppressed === false ? p : undefined;
    }, 'the release of the noisy batch');
    // Two draws of scale C·k/ε = 40 per cell: off from the truth, within a bound that holds
    // with probability 1 − 1e-6 (P(|X + Y| > t) ≤ 4·e^(−t/2b) for two-sided geometric X, Y).
    const b = (C * 2) / 1;
    const bound = 2 * b * Math.log(4e6 * truth.length);
    const got = [noisy.columns.age.missing, ...noisy.columns.age.counts];
    const want = [looseTruth[0], ...looseTruth.slice(4, 4 + EDGES.length + 1)].map(Number);
    got.forEach((g: number, i: number) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(bound));
    expect(got).not.toEqual(want);

    // The small batch is never released: k = 5 reports are needed, at either aggregator.
    await waitFor(
      async () =>
        (await send(await sealReport(core, deviceWindow(500), helperKey, batch({ region: 'tiny' }), sharp))).status === 409
          ? true
          : undefined,
      'the tiny batch to be decided',
    );
    const tiny = await profileOf({ region: 'tiny' }, start);
    expect(tiny.suppressed).toBe(true);

    // Reports of a window still to come stay undecided: the next test looks at their shares.
    const ahead = { ...batch({ region: 'pending' }), windowStart: start + 6 * WINDOW, windowEnd: start + 7 * WINDOW };
    for (let d = 0; d < 6; d++)
      expect((await send(await sealReport(core, deviceWindow(600 + d), helperKey, ahead, sharp))).status).toBe(201);
  }, 120_000);

  it("keeps no device's cells at either aggregator, and no share of a decided batch", async () => {
    for (const p of [leader, helper]) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    const [helperDb, leaderDb] = await Promise.all(storages.map((st) => openStorage(st)));
    try {
      const seeds = await helperDb.query<{ share: Uint8Array; segment: string }>('select share, segment from secure_reports');
      expect(seeds.map((s) => s.segment)).toEqual(Array(6).fill('{"region":"pending"}'));
      for (const s of seeds) expect(s.share.byteLength).toBe(16);
      const shares = await leaderDb.query<{ share: Uint8Array; cells: number; segment: string }>(
        'select share, cells, segment from secure_reports',
      );
      expect(shares.map((s) => s.segment)).toEqual(Array(6).fill('{"region":"pending"}'));
      // Decided batches: each aggregator keeps its decision, no report's share.
      for (const db of [helperDb, leaderDb]) {
        const decided = await db.query<{ segment: string; state: string }>('select segment, state from secure_batches order by segment');
        expect(decided.map((d) => [d.segment, d.state])).toEqual([
          ['{"region":"eu"}', 'released'],
          ['{"region":"noisy"}', 'released'],
          ['{"region":"tiny"}', 'withheld'],
        ]);
      }
      // Device cells are at most C; a share word below 2^32 would be a 1-in-2^32 coincidence.
      let small = 0;
      for (const s of shares) {
        const words = new BigUint64Array(new Uint8Array(s.share).buffer.slice(0));
        expect(words.length).toBe(s.cells);
        for (const w of words) if (w < 2n ** 32n) small++;
      }
      expect(small).toBe(0);
      expect(await helperDb.query('select 1 from uploads')).toHaveLength(0);
    } finally {
      await Promise.all([helperDb.close(), leaderDb.close()]);
    }
  }, 60_000);
});
