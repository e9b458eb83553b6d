// The rooms of src/ import each other only as the packages allow: the collector, the CLI and the
// dashboard reach the core by its package name (never its files), the edge never reaches the
// collector and the other way round, and the dashboard imports nothing of the collector.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function importsOf(room: string): { file: string; from: string }[] {
  const out: { file: string; from: string }[] = [];
  for (const file of readdirSync(join(SRC, room), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(SRC, room, file), 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?(?:from\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      out.push({ file: `${room}/${file}`, from: m[1] ?? m[2] });
    }
  }
  return out;
}

const crossing = (room: string, pattern: RegExp) =>
  importsOf(room)
    .filter((i) => pattern.test(i.from))
    .map((i) => `${i.file} → ${i.from}`);

describe('boundaries between the rooms of src/', () => {
  it('the collector, the CLI and the dashboard import the core by its package name only', () => {
    for (const room of ['collector', 'cli', 'dashboard']) expect(crossing(room, /(^|\/)core\//), room).toEqual([]);
  });

  it('the edge and the collector never import each other; the dashboard nothing of the collector', () => {
    expect(crossing('edge', /(^|\/)(collector|dashboard|cli)\//)).toEqual([]);
    expect(crossing('core', /(^|\/)(collector|dashboard|cli|edge)\//)).toEqual([]);
    expect(crossing('collector', /(^|\/)(edge|dashboard)\//)).toEqual([]);
    expect(crossing('dashboard', /(^|\/)(collector|edge|cli)\//)).toEqual([]);
  });

  it('reads real imports (the check itself sees the ones that are allowed)', () => {
    expect(importsOf('dashboard').some((i) => i.from === 'edgewatch/columns')).toBe(true);
    // The read API's answers are typed where the collector's schemas are: edgewatch/read-api.
    expect(importsOf('dashboard').some((i) => i.from === 'edgewatch/read-api')).toBe(true);
    expect(importsOf('collector').some((i) => i.from === 'edgewatch/read-api')).toBe(true);
    expect(importsOf('collector').some((i) => i.from === 'edgewatch')).toBe(true);
  });
});
