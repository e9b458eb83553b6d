// Where weather.csv lives in Node (the vega-datasets package exports no subpaths, so by path).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseWeather, type WeatherDay } from './weather.ts';

export const WEATHER_CSV = fileURLToPath(new URL('../../node_modules/vega-datasets/data/weather.csv', import.meta.url));

export async function loadWeather(): Promise<WeatherDay[]> {
  return parseWeather(await readFile(WEATHER_CSV, 'utf8'));
}
