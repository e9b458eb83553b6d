// What the simulated devices replay: Seattle 2014–2015 (the days the model never saw, from the
// same city as its training data), or — for the devices a scenario affects — New York, one
// season, or Seattle with a fault in the app's feature pipeline.
import { seasonOf, type Season, type WeatherDay } from '../data/weather.ts';
import { FEATURES, isHeldOutDay } from '../model/config.ts';

export type ScenarioKind = 'seattle' | 'new-york' | 'season' | 'wind-missing' | 'fahrenheit';

export interface Scenario {
  kind: ScenarioKind;
  /** For kind 'season'. */
  season: Season;
  /** Share of the devices the scenario affects (0..1); the others replay Seattle. */
  share: number;
}

export const SCENARIOS: Record<ScenarioKind, string> = {
  seattle: 'Seattle 2014–2015 (the city the model was trained on)',
  'new-york': 'New York 2014–2015 (covariate shift)',
  season: 'Seattle, one season only',
  'wind-missing': 'Fault: wind sensor missing, the app sends 0',
  fahrenheit: 'Fault: temperatures sent in °F instead of °C',
};

export interface Batch {
  /** Row-major [rows, features], as the model takes it. */
  features: Float32Array;
  /** The true weather type of each day (delayed feedback). */
  labels: string[];
  /** Where the rows come from, for display. */
  source: string;
}

export class DayPools {
  readonly seattle: WeatherDay[];
  readonly newYork: WeatherDay[];
  #seasons = new Map<Season, WeatherDay[]>();
  constructor(days: WeatherDay[]) {
    this.seattle = days.filter(isHeldOutDay);
    this.newYork = days.filter((d) => d.location === 'New York' && d.year >= 2014);
  }

  /** Seattle's days of one season (the same array every time: a replay keeps its order). */
  seattleIn(season: Season): WeatherDay[] {
    let pool = this.#seasons.get(season);
    if (!pool) this.#seasons.set(season, (pool = this.seattle.filter((d) => seasonOf(d.month) === season)));
    return pool;
  }
}

/** Whether device `index` of `devices` is affected: the first round(share · devices) are. */
export function isAffected(s: Scenario, index: number, devices: number): boolean {
  return s.kind !== 'seattle' && index < Math.round(s.share * devices);
}

/**
 * A device's replay: days drawn from its pool in a shuffled order, each once before any repeats.
 * Chronological order would make every window one stretch of the year — a seasonal shift of its
 * own — where a shuffled one is a fair sample of the two years.
 */
export class Replay {
  #order: number[] = [];
  #pool: WeatherDay[] | null = null;
  #random: () => number;
  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  #day(pool: WeatherDay[]): WeatherDay {
    if (pool !== this.#pool || this.#order.length === 0) {
      this.#pool = pool;
      this.#order = pool.map((_, i) => i);
      for (let i = this.#order.length - 1; i > 0; i--) {
        const j = Math.floor(this.#random() * (i + 1));
        [this.#order[i], this.#order[j]] = [this.#order[j], this.#order[i]];
      }
    }
    return pool[this.#order.pop()!];
  }

  next(pools: DayPools, s: Scenario, affected: boolean, rows: number): Batch {
    const kind = affected ? s.kind : 'seattle';
    const pool = kind === 'new-york' ? pools.newYork : kind === 'season' ? pools.seattleIn(s.season) : pools.seattle;
    const features = new Float32Array(rows * FEATURES.length);
    const labels: string[] = [];
    for (let r = 0; r < rows; r++) {
      const d = this.#day(pool);
      const row = FEATURES.map((f) => d[f]);
      if (kind === 'fahrenheit') {
        row[1] = (row[1] * 9) / 5 + 32;
        row[2] = (row[2] * 9) / 5 + 32;
      }
      if (kind === 'wind-missing') row[3] = 0;
      features.set(row, r * FEATURES.length);
      labels.push(d.weather);
    }
    const source =
      kind === 'new-york'
        ? 'New York'
        : kind === 'season'
          ? `Seattle, ${s.season}`
          : kind === 'seattle'
            ? 'Seattle'
            : `Seattle, ${kind === 'fahrenheit' ? '°F' : 'no wind'}`;
    return { features, labels, source };
  }
}
