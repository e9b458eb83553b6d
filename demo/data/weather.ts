// The demo's data: daily weather of Seattle and New York, 2012–2015, from the vega-datasets
// package (weather.csv). Parsed the same way in Node (training) and in the page (replay).

export interface WeatherDay {
  location: 'Seattle' | 'New York';
  /** 'YYYY-MM-DD' */
  date: string;
  year: number;
  /** 1..12 */
  month: number;
  precipitation: number;
  temp_max: number;
  temp_min: number;
  wind: number;
  weather: string;
}

const HEADER = 'location,date,precipitation,temp_max,temp_min,wind,weather';

/** Parses weather.csv; throws on a header or row that is not the file's known shape. */
export function parseWeather(text: string): WeatherDay[] {
  const lines = text.trim().split(/\r?\n/);
  if (lines[0] !== HEADER) throw new Error(`weather.csv: unexpected header "${lines[0]}" (expected "${HEADER}")`);
  return lines.slice(1).map((line, i) => {
    const [location, date, ...rest] = line.split(',');
    const [precipitation, temp_max, temp_min, wind] = rest.slice(0, 4).map(Number);
    const weather = rest[4];
    if (
      (location !== 'Seattle' && location !== 'New York') ||
      !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
      !weather ||
      ![precipitation, temp_max, temp_min, wind].every(Number.isFinite)
    ) {
      throw new Error(`weather.csv line ${i + 2}: cannot read "${line}"`);
    }
    return {
      location,
      date,
      year: Number(date.slice(0, 4)),
      month: Number(date.slice(5, 7)),
      precipitation,
      temp_max,
      temp_min,
      wind,
      weather,
    };
  });
}

export type Season = 'winter' | 'spring' | 'summer' | 'autumn';

/** Meteorological seasons (northern hemisphere): winter is December–February. */
export function seasonOf(month: number): Season {
  if (month === 12 || month <= 2) return 'winter';
  if (month <= 5) return 'spring';
  if (month <= 8) return 'summer';
  return 'autumn';
}
