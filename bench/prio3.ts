// Prio3 validity proofs (@divviup/prio3, VDAF draft 08) for the grids of the `secure` mode: what a
// proof costs the device per window and each aggregator per report, against the plain additive
// sharing the mode does without proofs (a random mask, a subtraction mod 2^64), in the same run.
// Goals (issue 13): client ≤ 50 ms per window, aggregators ≥ 500 reports/s per core.
// Shapes: a window's fixed-grid cell vector (100, 300 = 25 columns × 12 cells, 1,320 cells) with
// every cell a clipped count ≤ C rows (C = 20 and 500), proved by Prio3SumVec with
// bits = ceil(log2(C + 1)) and chunk lengths around the draft's √(length·bits); a one-hot
// Prio3Histogram, which fits a report of one row; and SumVec over Field64 with 3 proofs.
// Each aggregator's time starts from the bytes it receives: the leader decodes its share, the
// helper expands its two seeds, both run prepInit, the helper combines the two prep shares into
// the prep message (prepSharesToPrep, as a DAP helper does), both run prepNext and add the output
// share to their sum. Every round checks the aggregate against the counts sent.
// BENCH_PRIO3_MS (default 3000) is the time each configuration gets after its warm-up round.
import { webcrypto } from 'node:crypto';
import { Prio3, Prio3Count, Prio3Histogram, Prio3SumVec } from '@divviup/prio3';
import { SumVec } from '@divviup/prio3/dist/circuits/sumVec.js';
import { FlpGeneric } from '@divviup/prio3/dist/genericFlp.js';
import { Buffer } from 'node:buffer';
import { type Field64Wasm, loadField64Wasm } from './lib/field64-wasm.ts';
import { Rng } from './lib/prng.ts';
import { bytes, ratio, table } from './lib/table.ts';

const BUDGET_MS = Number(process.env.BENCH_PRIO3_MS ?? 3000);
const MAX_ROUNDS = 15;
const MIN_ROUNDS = 3;
const GOAL_CLIENT_MS = 50;
const GOAL_REPORTS_PER_S = 500;
/** Plain sharing takes microseconds: each timed sample repeats it this often. */
const PLAIN_REPS = 200;
/** The Field64 variant's VDAF id: it has no codepoint in the draft, so one from the private range. */
const FIELD64_SUMVEC_ID = 0xffff0002;
/** The draft's usage values for the helper's seeds (the domain separation of their expansion). */
const USAGE_MEASUREMENT_SHARE = 1;
const USAGE_PROOF_SHARE = 2;
/** The library's Field64 and XOF, taken from its own instances (Prio3Count is over Field64). */
const COUNT = new Prio3Count({ shares: 2 });
const FIELD64 = COUNT.flp.field;
const XOF = COUNT.xof;
if (FIELD64.modulus !== 2n ** 64n - 2n ** 32n + 1n) throw new Error("Prio3Count's field is not Field64 in this version");

type Measurement = number | number[];
type AnyPrio3 = Prio3<Measurement, number[]>;
type Shard = Awaited<ReturnType<AnyPrio3['shard']>>;
type InputShare = Shard['inputShares'][number];
type PublicShare = Shard['publicShare'];

interface Config {
  family: string;
  cells: number;
  /** Largest count of a cell (the rows cap C); 1 for the one-hot. */
  max: number;
  bits: number;
  chunk: number;
  field: string;
  proofs: number;
  vdaf: AnyPrio3;
  /** A window's measurement, and the cell vector it sums to. */
  measurement: Measurement;
  counts: number[];
}

interface Row {
  config: Config;
  rounds: number;
  clientMs: number;
  leaderMs: number;
  helperMs: number;
  plainClientMs: number;
  plainAggregatorMs: number;
  leaderShare: number;
  helperShare: number;
  publicShare: number;
  prepShare: number;
}

/** The draft's chunk length for a ParallelSum over n multiplications: about √n. */
const recommendedChunk = (n: number) => Math.max(1, Math.round(Math.sqrt(n)));
const bitsFor = (max: number) => Math.ceil(Math.log2(max + 1));

function sumVec(cells: number, max: number, chunk: number, rng: Rng, field64 = false): Config {
  const bits = bitsFor(max);
  const counts = Array.from({ length: cells }, () => Math.floor(rng.uniform() * (max + 1)));
  const vdaf = field64
    ? (new Prio3(XOF, new FlpGeneric(new SumVec(FIELD64, cells, bits, chunk)), 2, 3, FIELD64_SUMVEC_ID) as AnyPrio3)
    : (new Prio3SumVec({ shares: 2, length: cells, bits, chunkLength: chunk }) as AnyPrio3);
  return {
    family: 'SumVec',
    cells,
    max,
    bits,
    chunk,
    field: field64 ? 'Field64' : 'Field128',
    proofs: field64 ? 3 : 1,
    vdaf,
    measurement: counts,
    counts,
  };
}

function histogram(cells: number, chunk: number, rng: Rng): Config {
  const index = Math.floor(rng.uniform() * cells);
  const counts = Array.from({ length: cells }, (_, i) => (i === index ? 1 : 0));
  const vdaf = new Prio3Histogram({ shares: 2, length: cells, chunkLength: chunk }) as unknown as AnyPrio3;
  return { family: 'Histogram', cells, max: 1, bits: 1, chunk, field: 'Field128', proofs: 1, vdaf, measurement: index, counts };
}

function configs(): Config[] {
  const rng = new Rng(20261202);
  const out: Config[] = [];
  for (const cells of [100, 300, 1320]) {
    for (const max of [20, 500]) {
      const r = recommendedChunk(cells * bitsFor(max));
      for (const chunk of [Math.max(1, Math.round(r / 4)), r, r * 4]) out.push(sumVec(cells, max, chunk, rng));
    }
  }
  for (const cells of [300, 1320]) out.push(sumVec(cells, 500, recommendedChunk(cells * bitsFor(500)), rng, true));
  for (const cells of [12, 300, 1320]) out.push(histogram(cells, recommendedChunk(cells), rng));
  return out;
}

const randomBytes = (n: number) => Buffer.from(webcrypto.getRandomValues(new Uint8Array(n)));

/** The plain sharing of the `secure` mode: helper gets a random mask, leader counts − mask mod 2^64. */
function plainShard(counts: readonly number[]): { leader: BigUint64Array; helper: BigUint64Array } {
  const helper = new BigUint64Array(counts.length);
  webcrypto.getRandomValues(helper);
  const leader = new BigUint64Array(counts.length);
  // A BigUint64Array stores any bigint mod 2^64: the subtraction wraps as the aggregators' sums do.
  for (let i = 0; i < counts.length; i++) leader[i] = BigInt(counts[i]) - helper[i];
  return { leader, helper };
}

function plainAggregate(sum: BigUint64Array, share: BigUint64Array): void {
  for (let i = 0; i < share.length; i++) sum[i] += share[i];
}

/** The leader's input share from its bytes: measurement share ‖ proof share ‖ blind. */
function decodeLeader(vdaf: AnyPrio3, wire: Uint8Array): InputShare {
  const { field, measurementLen, proofLen } = vdaf.flp;
  const m = measurementLen * field.encodedSize;
  const p = proofLen * vdaf.proofs * field.encodedSize;
  const wireMeasurementShare = Buffer.from(wire.subarray(0, m));
  const wireProofShare = Buffer.from(wire.subarray(m, m + p));
  return {
    measurementShare: field.decode(wireMeasurementShare),
    proofsShare: field.decode(wireProofShare),
    wireMeasurementShare,
    wireProofShare,
    blind: Buffer.from(wire.subarray(m + p)),
  };
}

/** The helper's input share from its three seeds, expanded as the draft's helper does. */
async function decodeHelper(vdaf: AnyPrio3, wire: Uint8Array): Promise<InputShare> {
  const { field, measurementLen, proofLen } = vdaf.flp;
  const s = XOF.seedSize;
  const wireMeasurementShare = Buffer.from(wire.subarray(0, s));
  const wireProofShare = Buffer.from(wire.subarray(s, 2 * s));
  const [measurementShare, proofsShare] = await Promise.all([
    XOF.expandIntoVec(field, wireMeasurementShare, vdaf.domainSeparationTag(USAGE_MEASUREMENT_SHARE), Buffer.of(1), measurementLen),
    XOF.expandIntoVec(
      field,
      wireProofShare,
      vdaf.domainSeparationTag(USAGE_PROOF_SHARE),
      Buffer.of(vdaf.proofs, 1),
      proofLen * vdaf.proofs,
    ),
  ]);
  return { measurementShare, proofsShare, wireMeasurementShare, wireProofShare, blind: Buffer.from(wire.subarray(2 * s)) };
}

function decodePublic(wire: Uint8Array): PublicShare {
  const s = XOF.seedSize;
  const jointRandParts = [];
  for (let at = 0; at < wire.length; at += s) jointRandParts.push(Buffer.from(wire.subarray(at, at + s)));
  return { jointRandParts };
}

const sameVector = (a: readonly bigint[], b: readonly bigint[]) => a.length === b.length && a.every((x, i) => x === b[i]);

async function measure(config: Config): Promise<Row> {
  const { vdaf, counts } = config;
  const verifyKey = randomBytes(vdaf.verifyKeySize);
  const times = {
    client: [] as number[],
    leader: [] as number[],
    helper: [] as number[],
    plainClient: [] as number[],
    plainAgg: [] as number[],
  };
  const sizes = { leader: 0, helper: 0, public: 0, prep: 0 };
  let leaderSum = new Array<bigint>(vdaf.flp.outputLen).fill(0n);
  let helperSum = leaderSum;
  const plainLeaderSum = new BigUint64Array(counts.length);
  const plainHelperSum = new BigUint64Array(counts.length);
  let plainReports = 0;
  let reports = 0;
  let timedMs = 0;

  // Round 0 warms up (JIT) and is not timed; the rest run until the budget or MAX_ROUNDS.
  for (let round = 0; round <= MIN_ROUNDS || (timedMs < BUDGET_MS && round <= MAX_ROUNDS); round++) {
    const roundStart = performance.now();

    let t = performance.now();
    let plain = plainShard(counts);
    for (let k = 1; k < PLAIN_REPS; k++) plain = plainShard(counts);
    const plainClient = (performance.now() - t) / PLAIN_REPS;
    t = performance.now();
    for (let k = 0; k < PLAIN_REPS; k++) {
      plainAggregate(plainLeaderSum, plain.leader);
      plainAggregate(plainHelperSum, plain.helper);
    }
    const plainAgg = (performance.now() - t) / PLAIN_REPS / 2;
    plainReports += PLAIN_REPS;

    t = performance.now();
    const nonce = randomBytes(vdaf.nonceSize);
    const sharded = await vdaf.shard(config.measurement, nonce, randomBytes(vdaf.randSize));
    const wireLeader = vdaf.encodeInputShare(sharded.inputShares[0]);
    const wireHelper = vdaf.encodeInputShare(sharded.inputShares[1]);
    const wirePublic = vdaf.encodePublicShare(sharded.publicShare);
    const client = performance.now() - t;

    // Leader, from its bytes up to its prep share.
    t = performance.now();
    const leaderShare = decodeLeader(vdaf, wireLeader);
    const leaderInit = await vdaf.prepareInit(verifyKey, 0, null, nonce, decodePublic(wirePublic), leaderShare);
    let leader = performance.now() - t;

    // Helper, from its seeds: prepInit, then the prep message from both prep shares.
    t = performance.now();
    const helperShare = await decodeHelper(vdaf, wireHelper);
    const helperInit = await vdaf.prepareInit(verifyKey, 1, null, nonce, decodePublic(wirePublic), helperShare);
    const message = await vdaf.unshardPreparationShares(null, [leaderInit.preparationShare, helperInit.preparationShare]);
    const helperOut = vdaf.prepareNext(helperInit.preparationState, message);
    if (!('outputShare' in helperOut)) throw new Error('Prio3 needs one round: expected an output share');
    helperSum = vdaf.aggregate(null, [helperSum, helperOut.outputShare]);
    const helper = performance.now() - t;

    t = performance.now();
    const leaderOut = vdaf.prepareNext(leaderInit.preparationState, message);
    if (!('outputShare' in leaderOut)) throw new Error('Prio3 needs one round: expected an output share');
    leaderSum = vdaf.aggregate(null, [leaderSum, leaderOut.outputShare]);
    leader += performance.now() - t;
    reports++;

    if (round === 0) {
      // What the aggregators decoded must be what the device sent, or the timings mean nothing.
      const sent = sharded.inputShares;
      if (
        !sameVector(leaderShare.measurementShare, sent[0].measurementShare) ||
        !sameVector(helperShare.measurementShare, sent[1].measurementShare)
      )
        throw new Error(`${label(config)}: a decoded measurement share differs from the one sent`);
      if (!sameVector(leaderShare.proofsShare, sent[0].proofsShare) || !sameVector(helperShare.proofsShare, sent[1].proofsShare))
        throw new Error(`${label(config)}: a decoded proof share differs from the one sent`);
      sizes.leader = wireLeader.length;
      sizes.helper = wireHelper.length;
      sizes.public = wirePublic.length;
      sizes.prep = vdaf.encodePreparationShare(leaderInit.preparationShare).length;
      continue;
    }
    times.client.push(client);
    times.leader.push(leader);
    times.helper.push(helper);
    times.plainClient.push(plainClient);
    times.plainAgg.push(plainAgg);
    timedMs += performance.now() - roundStart;
  }

  const total = vdaf.unshard(null, [leaderSum, helperSum], reports);
  const plainTotal = Array.from(plainLeaderSum, (x, i) => Number(BigInt.asUintN(64, x + plainHelperSum[i])));
  counts.forEach((c, i) => {
    if (BigInt(total[i]) !== BigInt(c * reports) || plainTotal[i] !== c * plainReports)
      throw new Error(`${label(config)}: cell ${i} sums to ${total[i]} (plain ${plainTotal[i]}), sent ${c} × ${reports}`);
  });
  return {
    config,
    rounds: times.client.length,
    clientMs: median(times.client),
    leaderMs: median(times.leader),
    helperMs: median(times.helper),
    plainClientMs: median(times.plainClient),
    plainAggregatorMs: median(times.plainAgg),
    leaderShare: sizes.leader,
    helperShare: sizes.helper,
    publicShare: sizes.public,
    prepShare: sizes.prep,
  };
}

/** What the lying device adds to one cell, through Prio3 and through the plain sharing. */
const LIE = 1n << 40n;

/**
 * A lying device that runs the protocol faithfully on an invalid measurement: its encoding of
 * cell 0 holds 2^40 where a bit belongs, and it proves that as any device proves its window.
 * The aggregators, running the honest VDAF, must reject the report; the plain sharing adds it.
 */
async function lyingDevice(config: Config): Promise<{ prio3: string; plain: string }> {
  const { vdaf, counts } = config;
  const honest = vdaf.flp;
  const lying: typeof honest = Object.create(honest);
  lying.encode = (measurement) => {
    const encoded = honest.encode(measurement);
    encoded[0] = LIE;
    return encoded;
  };
  const liar = new Prio3(vdaf.xof, lying, vdaf.shares, vdaf.proofs, vdaf.id);
  const verifyKey = randomBytes(vdaf.verifyKeySize);
  const nonce = randomBytes(vdaf.nonceSize);
  const { publicShare, inputShares } = await liar.shard(config.measurement, nonce, randomBytes(vdaf.randSize));
  let prio3 = 'accepted';
  try {
    const prep = await Promise.all(
      inputShares.map((share, id) =>
        vdaf.prepareInit(verifyKey, id, null, nonce, { jointRandParts: [...publicShare.jointRandParts] }, share),
      ),
    );
    await vdaf.unshardPreparationShares(
      null,
      prep.map((p) => p.preparationShare),
    );
  } catch (error) {
    prio3 = `rejected (${(error as Error).message})`;
  }
  const plain = plainShard(counts);
  plain.leader[0] += LIE;
  const cell0 = BigInt.asUintN(64, plain.leader[0] + plain.helper[0]);
  return { prio3, plain: `cell 0 sums to ${cell0} (sent ${counts[0]}): accepted` };
}

interface Breakdown {
  config: Config;
  proveMs: number;
  queryMs: number;
  expandMs: number;
  wireMs: number;
  powersByExpMs: number;
  powersByProductMs: number;
  gadgetSchoolbookMs: number;
  gadgetNttMs: number;
}

/**
 * Where a report's time goes, step by step through the library's own calls: the proof, one
 * aggregator's query, one seed's expansion into a measurement share (the helper's and the
 * device's), a measurement share's encoding and decoding, and the powers r^1..r^n of the joint
 * randomness that SumVec's circuit takes, each by its own exponentiation (as the library does, in
 * every prove and query) against a running product; and the prover's gadget polynomial (the sum
 * over the chunk of products of two wire polynomials of p coefficients, p the power of 2 above the
 * gadget calls), by the library's schoolbook multiplication against products in the evaluation
 * domain of an NTT of size 2p, both in the library's field arithmetic.
 */
async function breakdown(config: Config): Promise<Breakdown> {
  const { flp } = config.vdaf;
  const { field } = flp;
  const encoded = flp.encode(config.measurement);
  const proveRand = field.fillRandom(flp.proveRandLen);
  const jointRand = field.fillRandom(flp.jointRandLen);
  const queryRand = field.fillRandom(flp.queryRandLen);
  const seed = randomBytes(XOF.seedSize);
  const dst = config.vdaf.domainSeparationTag(USAGE_MEASUREMENT_SHARE);
  const proof = flp.prove(encoded, proveRand, jointRand);
  const r = jointRand[0];
  const n = flp.measurementLen;
  const steps = {
    prove: () => flp.prove(encoded, proveRand, jointRand),
    query: () => flp.query(encoded, proof, queryRand, jointRand, 2),
    expand: () => XOF.expandIntoVec(field, seed, dst, Buffer.of(1), n),
    wire: () => field.decode(field.encode(encoded)),
    powersByExp: () => {
      for (let i = 0; i < n; i++) field.exp(r, BigInt(i + 1));
    },
    powersByProduct: () => {
      let power = 1n;
      for (let i = 0; i < n; i++) power = field.mul(power, r);
      return power;
    },
    gadgetSchoolbook: () => gadgetBySchoolbook(field, wires),
    gadgetNtt: () => gadgetByNtt(field, wires),
  };
  const calls = Math.ceil(n / config.chunk);
  const p = 2 ** Math.ceil(Math.log2(calls + 1));
  const wires = Array.from({ length: 2 * config.chunk }, () => field.fillRandom(p));
  const bySchoolbook = gadgetBySchoolbook(field, wires);
  const byNtt = gadgetByNtt(field, wires);
  if (!sameVector(bySchoolbook, byNtt.slice(0, bySchoolbook.length)) || byNtt.slice(bySchoolbook.length).some((c) => c !== 0n))
    throw new Error(`${label(config)}: the gadget polynomial by NTT differs from the schoolbook one`);
  const times: Record<keyof typeof steps, number[]> = {
    prove: [],
    query: [],
    expand: [],
    wire: [],
    powersByExp: [],
    powersByProduct: [],
    gadgetSchoolbook: [],
    gadgetNtt: [],
  };
  for (let round = 0; round <= MIN_ROUNDS; round++) {
    for (const [name, step] of Object.entries(steps) as [keyof typeof steps, () => unknown][]) {
      const t = performance.now();
      await step();
      if (round > 0) times[name].push(performance.now() - t);
    }
  }
  return {
    config,
    proveMs: median(times.prove),
    queryMs: median(times.query),
    expandMs: median(times.expand),
    wireMs: median(times.wire),
    powersByExpMs: median(times.powersByExp),
    powersByProductMs: median(times.powersByProduct),
    gadgetSchoolbookMs: median(times.gadgetSchoolbook),
    gadgetNttMs: median(times.gadgetNtt),
  };
}

type Field = Config['vdaf']['flp']['field'];

/** Σ_i wires[2i]·wires[2i+1], as ParallelSum(Mul) builds the prover's gadget polynomial. */
function gadgetBySchoolbook(field: Field, wires: bigint[][]): bigint[] {
  let sum = new Array<bigint>(2 * wires[0].length - 1).fill(0n);
  for (let i = 0; i < wires.length; i += 2) sum = field.vecAdd(sum, field.mulPolys(wires[i], wires[i + 1]));
  return sum;
}

/**
 * The same sum through the evaluation domain: each wire polynomial evaluated at the 2p-th roots
 * of unity, products summed pointwise, one interpolation back. The field's interpolation is an
 * inverse NTT; handed the inverse roots it is a forward one, scaled by 1/2p.
 */
function gadgetByNtt(field: Field, wires: bigint[][]): bigint[] {
  const size = 2 * wires[0].length;
  const omega = field.exp(field.generator, field.genOrder / BigInt(size));
  const powers = (x: bigint) => {
    const out = [1n];
    for (let i = 1; i < size; i++) out.push(field.mul(out[i - 1], x));
    return out;
  };
  const roots = powers(omega);
  const inverseRoots = powers(field.exp(omega, -1n));
  const scale = BigInt(size);
  const evaluate = (poly: bigint[]) => {
    const padded = poly.concat(new Array<bigint>(size - poly.length).fill(0n));
    return field.interpolate(inverseRoots, padded).map((y) => field.mul(y, scale));
  };
  let sum = new Array<bigint>(size).fill(0n);
  for (let i = 0; i < wires.length; i += 2) {
    const a = evaluate(wires[i]);
    const b = evaluate(wires[i + 1]);
    sum = field.vecAdd(
      sum,
      a.map((x, k) => field.mul(x, b[k])),
    );
  }
  return field.interpolate(roots, sum);
}

interface FieldPeer {
  config: Config;
  /** Coefficients per wire polynomial: the power of 2 above the gadget calls. */
  p: number;
  bigintMs: number;
  wasmMs: number;
}

/**
 * The same schoolbook gadget polynomial as the prover's, over Field64, by the library's BigInt
 * arithmetic and by machine words in wasm (copying in and out included), on the same wires.
 */
function fieldPeer(config: Config, wasm: Field64Wasm): FieldPeer {
  const calls = Math.ceil(config.vdaf.flp.measurementLen / config.chunk);
  const p = 2 ** Math.ceil(Math.log2(calls + 1));
  const wires = Array.from({ length: 2 * config.chunk }, () => FIELD64.fillRandom(p));
  if (!sameVector(gadgetBySchoolbook(FIELD64, wires), wasm.gadgetPoly(wires)))
    throw new Error(`${label(config)}: the wasm Field64 gadget polynomial differs from the library's`);
  const times = { bigint: [] as number[], wasm: [] as number[] };
  for (let round = 0; round <= MIN_ROUNDS; round++) {
    let t = performance.now();
    gadgetBySchoolbook(FIELD64, wires);
    const bigint = performance.now() - t;
    t = performance.now();
    wasm.gadgetPoly(wires);
    const words = performance.now() - t;
    if (round === 0) continue;
    times.bigint.push(bigint);
    times.wasm.push(words);
  }
  return { config, p, bigintMs: median(times.bigint), wasmMs: median(times.wasm) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const label = (c: Config) =>
  `${c.family} ${c.cells} cells${c.family === 'SumVec' ? ` C=${c.max} (${c.bits} bits)` : ''} chunk ${c.chunk} ${c.field}${c.proofs > 1 ? ` ×${c.proofs} proofs` : ''}`;
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));
const perCore = (r: Row) => 1000 / Math.max(r.leaderMs, r.helperMs);
const meetsGoal = (r: Row) => r.clientMs <= GOAL_CLIENT_MS && perCore(r) >= GOAL_REPORTS_PER_S;

export async function run(): Promise<void> {
  console.log('# Prio3 validity proofs (@divviup/prio3 0.8, VDAF-08) against plain additive sharing\n');
  const rows: Row[] = [];
  for (const config of configs()) {
    const row = await measure(config);
    rows.push(row);
    console.error(`  ${label(config)}: ${row.rounds} rounds`);
  }

  console.log(
    table(
      [
        'proof',
        'cells',
        'C',
        'bits',
        'chunk',
        'field',
        'client ms',
        '× plain',
        'leader ms',
        'helper ms',
        '× plain',
        'reports/s/core',
        'leader share',
        'helper',
        'public',
        'prep share',
        'goal',
      ],
      rows.map((r) => {
        const c = r.config;
        return [
          c.family,
          String(c.cells),
          String(c.max),
          String(c.bits),
          String(c.chunk),
          c.proofs > 1 ? `${c.field} ×${c.proofs}` : c.field,
          ms(r.clientMs),
          ratio(r.clientMs / r.plainClientMs),
          ms(r.leaderMs),
          ms(r.helperMs),
          ratio(Math.max(r.leaderMs, r.helperMs) / r.plainAggregatorMs),
          perCore(r).toFixed(0),
          bytes(r.leaderShare),
          bytes(r.helperShare),
          bytes(r.publicShare),
          bytes(r.prepShare),
          meetsGoal(r) ? 'ok' : 'MISS',
        ];
      }),
      [false, true, true, true, true, false, true, true, true, true, true, true, true, true, true, true, false],
    ),
  );
  console.log("(A Histogram report is one row's one-hot, not a window: a window of R rows over K columns is R·K reports.)");

  console.log('\nPlain additive sharing (the peer: mask from crypto.getRandomValues, subtraction mod 2^64, in JS):');
  const plainRows = [...new Map(rows.map((r) => [r.config.cells, r])).values()];
  console.log(
    table(
      ['cells', 'client µs', 'aggregator µs', 'reports/s/core', 'leader share'],
      plainRows.map((r) => [
        String(r.config.cells),
        (r.plainClientMs * 1000).toFixed(1),
        (r.plainAggregatorMs * 1000).toFixed(1),
        (1000 / r.plainAggregatorMs).toFixed(0),
        bytes(8 * r.config.cells),
      ]),
      [true, true, true, true, true],
    ),
  );

  const recommended = rows.filter(
    (r) =>
      r.config.family === 'SumVec' && r.config.field === 'Field128' && r.config.chunk === recommendedChunk(r.config.cells * r.config.bits),
  );
  const steps: Breakdown[] = [];
  for (const r of recommended) steps.push(await breakdown(r.config));
  console.log("\nWhere the time goes (SumVec, Field128, recommended chunk; ms per call of the library's own functions):");
  console.log(
    table(
      [
        'cells',
        'bits',
        'chunk',
        'prove',
        'query (one aggregator)',
        'expand a seed',
        'encode+decode a share',
        'powers r^i by exp',
        'by running product',
        'gadget poly schoolbook',
        'by NTT',
      ],
      steps.map((b) => [
        String(b.config.cells),
        String(b.config.bits),
        String(b.config.chunk),
        ms(b.proveMs),
        ms(b.queryMs),
        ms(b.expandMs),
        ms(b.wireMs),
        ms(b.powersByExpMs),
        ms(b.powersByProductMs),
        ms(b.gadgetSchoolbookMs),
        ms(b.gadgetNttMs),
      ]),
      [true, true, true, true, true, true, true, true, true, true, true],
    ),
  );

  const wasm = await loadField64Wasm();
  const peers = recommended.map((r) => fieldPeer(r.config, wasm));
  console.log('\nThe schoolbook gadget polynomial over Field64: library BigInt against machine words in wasm (ms):');
  console.log(
    table(
      ['cells', 'bits', 'chunk', 'p', 'BigInt', 'wasm u64', 'BigInt / wasm'],
      peers.map((f) => [
        String(f.config.cells),
        String(f.config.bits),
        String(f.config.chunk),
        String(f.p),
        ms(f.bigintMs),
        ms(f.wasmMs),
        ratio(f.bigintMs / f.wasmMs),
      ]),
      [true, true, true, true, true, true, true],
    ),
  );

  const liar = rows.find((r) => r.config.family === 'SumVec' && r.config.cells === 100)?.config;
  if (liar) {
    const verdict = await lyingDevice(liar);
    console.log(`\nA lying device (${label(liar)}) puts 2^40 where cell 0's lowest bit belongs and proves it:`);
    console.log(`  Prio3: ${verdict.prio3}`);
    console.log(`  plain: ${verdict.plain}`);
  }

  // A SumVec report is a whole window; a Histogram report is one row's one-hot, so a window of
  // R rows over K columns is R·K of them and its row in the table is no window's cost.
  const windows = rows.filter((r) => r.config.family === 'SumVec');
  const met = windows.filter(meetsGoal);
  const field128 = windows.filter((r) => r.config.field === 'Field128');
  const closest = field128.reduce((a, b) => (gapOf(b) < gapOf(a) ? b : a));
  const largest = field128.filter((r) => r.config.cells === 1320 && r.config.max === 500).reduce((a, b) => (gapOf(b) < gapOf(a) ? b : a));
  const oneRow = rows.find((r) => r.config.family === 'Histogram' && r.config.cells === 12);
  console.log(
    `\nSummary: goal client ≤ ${GOAL_CLIENT_MS} ms per window and ≥ ${GOAL_REPORTS_PER_S} reports/s per aggregator core: ` +
      `${met.length} of ${windows.length} SumVec configurations (one report per window) meet both` +
      `${met.length ? ` (${met.map((r) => label(r.config)).join('; ')})` : ''}. ` +
      `Closest: ${label(closest.config)}, client ${ms(closest.clientMs)} ms (${ratio(closest.clientMs / GOAL_CLIENT_MS)} the goal), ` +
      `${perCore(closest).toFixed(0)} reports/s/core (${ratio(perCore(closest) / GOAL_REPORTS_PER_S)} the goal). ` +
      `1,320 cells, C=500, best chunk: client ${ms(largest.clientMs)} ms (${ratio(largest.clientMs / GOAL_CLIENT_MS)}), ` +
      `${perCore(largest).toFixed(1)} reports/s/core (${ratio(perCore(largest) / GOAL_REPORTS_PER_S)}), ` +
      `${ratio(largest.clientMs / largest.plainClientMs)} plain sharing's client time.` +
      (oneRow
        ? ` One row's one-hot over 12 cells (Histogram): client ${ms(oneRow.clientMs)} ms, ${perCore(oneRow).toFixed(0)} reports/s/core, ` +
          `so a window of 20 rows × 25 columns (500 reports) costs ${ms(500 * oneRow.clientMs)} ms on the client.`
        : ''),
  );
}

/** How far a configuration is from the goal: the worse of its two factors (1 = on the goal). */
function gapOf(r: Row): number {
  return Math.max(r.clientMs / GOAL_CLIENT_MS, GOAL_REPORTS_PER_S / perCore(r));
}
