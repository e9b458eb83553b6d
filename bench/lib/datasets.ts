// The values every sketch in a benchmark is fed: generated from a fixed seed, or real data.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng } from './prng.ts';

export interface Dataset {
  name: string;
  values: Float64Array;
}

export function normal(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.normal();
  return { name: `normal(0,1), n=${fmtCount(n)}, seed ${seed}`, values };
}

/** exp() of the same normal draws: a heavy right tail over several orders of magnitude. */
export function lognormal(n: number, seed: number): Dataset {
  const values = normal(n, seed).values.map(Math.exp);
  return { name: `lognormal(0,1), n=${fmtCount(n)}, seed ${seed}`, values };
}

/**
 * Arrival delays in minutes from vega-datasets' flights-200k.json: real, integer-valued, with
 * many exact zeros and early arrivals (negative values), in the file's order.
 */
export function flightDelays(): Dataset {
  const path = fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-200k.json', import.meta.url));
  const rows = JSON.parse(readFileSync(path, 'utf8')) as { delay: number }[];
  const values = Float64Array.from(rows, (r) => r.delay);
  return { name: `flight delays (min), vega-datasets flights-200k.json, n=${fmtCount(values.length)}`, values };
}

function fmtCount(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n.toLocaleString('en-US');
}
