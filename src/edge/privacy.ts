// The private ('dp') mode's accounting: the noise scale a window needs, and the device's daily ε
// budget. The noise itself is drawn by the core (assembly/noise.ts). docs/edge.md, *Privacy*,
// states the guarantee; this file is where it is kept.
//
// Unit of privacy: a device-day, everything one device records in the windows that start on one
// UTC day (the window, when windows are a day or longer).
//
// Mechanism: two-sided geometric noise (the discrete Laplace), P(k) ∝ exp(−|k|/b), on every cell
// of every column. Local DP: the guarantee holds between any two windows a device could upload,
// not only between a window and the same window less one device. One event (an inference row, a
// failure, a feedback row) adds 1 to at most k cells (k = cellsPerEvent), and a window holds at
// most C events, so a window's cell vector has L1 norm ≤ C·k and two windows differ by at most
// 2·C·k. With b = 2·C·k/ε each uploaded window is ε-DP.
//
// Composition: basic (sequential) composition of pure ε-DP releases. A device uploads at most
// n = ⌊dailyEpsilon/ε⌋ windows per day, chosen uniformly at random among the day's window slots
// before any of them is recorded (so which ones leave depends on nothing the device records), so
// a device-day is (n·ε ≤ dailyEpsilon)-DP. The budget lives in IndexedDB; a store that cannot
// keep it (memory after a failure) would restart it on every page load, so then nothing private
// is uploaded.
import { parseColumn } from '../core/columns.ts';
import type { PrivacyOptions } from './options.ts';
import type { Store } from './store.ts';

export const DAY_MS = 86_400_000;

/** The noise scale b of a window: 2·C·k/ε (see above). */
export function noiseScale(maxRows: number, cellsPerEvent: number, epsilon: number): number {
  return (2 * maxRows * cellsPerEvent) / epsilon;
}

/**
 * The most cells one event adds to: an inference row lands once in every input and output column
 * and in latency and provider (its call's first row carries them); a feedback row in its output's
 * confusion and two calibration columns and in one labelled score column per class; a failure in
 * the failure column only.
 */
export function cellsPerEvent(columns: readonly string[]): number {
  const names = new Set(columns);
  let inference = 0;
  const feedback = new Map<string, { cells: number; classes: Set<string> }>();
  for (const name of columns) {
    const role = parseColumn(name, names);
    if (role.group === 'health' && role.metric === 'failure') continue;
    if (role.group !== 'feedback') {
      inference++;
      continue;
    }
    const f = feedback.get(role.output) ?? { cells: 0, classes: new Set<string>() };
    feedback.set(role.output, f);
    if (role.part === 'score') f.classes.add(role.cls);
    else f.cells++;
  }
  let k = Math.max(1, inference);
  for (const f of feedback.values()) k = Math.max(k, f.cells + f.classes.size);
  return k;
}

/** The privacy parameters as they travel in the upload header (meta 'privacy'). */
export function privacyHeader(p: PrivacyOptions, columns: readonly string[]): Record<string, unknown> {
  if (p.mode === 'off') return { mode: 'off' };
  const k = cellsPerEvent(columns);
  const common = {
    mechanism: 'two-sided-geometric',
    unit: 'device-day',
    epsilon: p.epsilon,
    maxRowsPerWindow: p.maxRowsPerWindow,
    dailyEpsilon: p.dailyEpsilon,
    columns: columns.length,
    cellsPerEvent: k,
  };
  // A secure window leaves as shares; the aggregators' noise scale is in its report's layout.
  if (p.mode === 'secure') return { mode: 'secure', ...common };
  return { mode: 'dp', ...common, noiseScale: noiseScale(p.maxRowsPerWindow, k, p.epsilon) };
}

/** Window slots of one UTC day (one, for windows of a day or longer). */
export function slotsPerDay(windowMs: number): number {
  return Math.max(1, Math.floor(DAY_MS / windowMs));
}

/** The UTC day a window is accounted to (the day it starts), and its slot in that day. */
export function slotOf(windowStart: number, windowMs: number): { day: number; slot: number } {
  const day = Math.floor(windowStart / DAY_MS);
  return { day, slot: Math.floor((windowStart - day * DAY_MS) / windowMs) };
}

/** How many windows a device may upload per day: as many as the daily budget pays for. */
export function windowsPerDay(epsilon: number, daily: number, windowMs: number): number {
  // A tiny tolerance so that e.g. eight windows of ε = 1 fit a daily budget of 8 exactly.
  return Math.min(slotsPerDay(windowMs), Math.floor((daily / epsilon) * (1 + 1e-9)));
}

/** n distinct slots of 0..total−1, uniformly at random (Floyd's algorithm), sorted. */
export function drawSlots(n: number, total: number, random: (bound: number) => number = secureInt): number[] {
  if (n >= total) return Array.from({ length: total }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = total - n; j < total; j++) {
    const t = random(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Uniform in 0..bound−1 from crypto.getRandomValues (rejection sampling: no modulo bias). */
function secureInt(bound: number): number {
  const word = new Uint32Array(1);
  const limit = 2 ** 32 - (2 ** 32 % bound);
  for (;;) {
    crypto.getRandomValues(word);
    if (word[0] < limit) return word[0] % bound;
  }
}

export interface BudgetRecord {
  /** Days since the epoch (UTC). */
  day: number;
  /** ε spent on windows of that day. */
  spent: number;
  /** The slots of that day whose windows may be uploaded, drawn when the day's first window closed. */
  slots: number[];
  /** Window length the slots were drawn for: another length draws again (the spend stays). */
  windowMs: number;
}

export const BUDGET_KEY = 'privacy-budget';

/** Why a closed window may not leave (null: it may, and its ε was spent). */
export type Refusal = 'not-sampled' | 'budget-spent' | 'no-persistent-budget';

/**
 * Decides whether a closed window may be uploaded and spends its ε if so; one transaction, so
 * tabs sharing the store cannot overspend together. The window counts against the day it starts
 * on, whenever it closes.
 */
export async function spendBudget(
  store: Store,
  windowStart: number,
  windowMs: number,
  epsilon: number,
  daily: number,
): Promise<Refusal | null> {
  if (store.kind !== 'indexeddb') return 'no-persistent-budget';
  const { day, slot } = slotOf(windowStart, windowMs);
  let refusal: Refusal | null = null;
  await store.update<BudgetRecord>(BUDGET_KEY, (old) => {
    // A late window of an earlier day (recovered from a closed tab) finds that day's record
    // gone: it is not uploaded, and today's spend stays.
    if (old && old.day > day) {
      refusal = 'budget-spent';
      return old;
    }
    const today = old && old.day === day ? old : { day, spent: 0, slots: [] as number[], windowMs: 0 };
    const slots = today.windowMs === windowMs ? today.slots : drawSlots(windowsPerDay(epsilon, daily, windowMs), slotsPerDay(windowMs));
    if (!slots.includes(slot)) refusal = 'not-sampled';
    else if (today.spent + epsilon > daily * (1 + 1e-9)) refusal = 'budget-spent';
    return { day, spent: refusal ? today.spent : today.spent + epsilon, slots, windowMs };
  });
  // The store fell back to memory during the transaction: what it granted is not kept.
  if (store.kind !== 'indexeddb') return 'no-persistent-budget';
  return refusal;
}

export async function budgetLeft(store: Store, now: number, daily: number): Promise<number> {
  const rec = await store.get<BudgetRecord>(BUDGET_KEY);
  const spent = rec && rec.day === Math.floor(now / DAY_MS) ? rec.spent : 0;
  return Math.max(0, daily - spent);
}
