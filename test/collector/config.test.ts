import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultOptions, helpText, resolveOptions, SETTINGS } from '../../src/collector/config.ts';
import { parseEvalWindows } from '../../src/collector/eval-windows.ts';

describe('collector options', () => {
  it('start from documented defaults', () => {
    expect(resolveOptions([], {})).toEqual(defaultOptions());
    expect(defaultOptions()).toMatchObject({ host: '127.0.0.1', port: 8787, dataDir: './.edgewatch', kAnonymity: 5, autoRegister: true });
    expect(defaultOptions().databaseUrl).toBeUndefined();
  });

  it('take the environment, then flags over it', () => {
    const env = { DATABASE_URL: 'postgres://db/x', EDGEWATCH_PORT: '9000', EDGEWATCH_AUTO_REGISTER: 'false' };
    expect(resolveOptions([], env)).toMatchObject({ databaseUrl: 'postgres://db/x', port: 9000, autoRegister: false });
    const o = resolveOptions(['--port=9100', '--k-anonymity', '10', '--auto-register'], env);
    expect(o).toMatchObject({ port: 9100, kAnonymity: 10, autoRegister: true, databaseUrl: 'postgres://db/x' });
    expect(resolveOptions(['--no-auto-register'], {}).autoRegister).toBe(false);
  });

  it('refuse unknown flags and bad values with a clear message', () => {
    expect(() => resolveOptions(['--prot', '1'], {})).toThrow('unknown option --prot');
    expect(() => resolveOptions(['--port', 'abc'], {})).toThrow('--port: expected a non-negative integer, got "abc"');
    expect(() => resolveOptions(['--port'], {})).toThrow('--port needs a value');
    expect(() => resolveOptions([], { EDGEWATCH_AUTO_REGISTER: 'maybe' })).toThrow('expected true or false');
  });

  it('read the rolling windows as a list of spans, each named as written', () => {
    expect(defaultOptions().evalWindows).toBe('1h,24h');
    expect(parseEvalWindows(defaultOptions().evalWindows)).toEqual([
      { name: '1h', ms: 3_600_000 },
      { name: '24h', ms: 86_400_000 },
    ]);
    expect(resolveOptions(['--eval-windows', ' 30s, 15m ,7d'], {}).evalWindows).toBe('30s,15m,7d');
    expect(resolveOptions([], { EDGEWATCH_EVAL_WINDOWS: '2h' }).evalWindows).toBe('2h');
    expect(() => resolveOptions(['--eval-windows', '3600000'], {})).toThrow(
      '--eval-windows: "3600000" is not a span such as 30s, 15m, 1h or 7d',
    );
    expect(() => resolveOptions(['--eval-windows', '1h,,24h'], {})).toThrow('"" is not a span');
    expect(() => resolveOptions(['--eval-windows', '0h'], {})).toThrow('"0h" is not a span');
    expect(() => resolveOptions(['--eval-windows', '1h,60m'], {})).toThrow('--eval-windows: "1h" and "60m" are the same window');
  });

  it('document every setting in --help and in docs/collector.md', () => {
    const help = helpText();
    const docs = readFileSync(new URL('../../docs/collector.md', import.meta.url), 'utf8');
    for (const s of SETTINGS) {
      expect(help).toContain(s.flag);
      expect(help).toContain(s.env);
      expect(docs).toContain(`\`${s.flag}\``);
      expect(docs).toContain(`\`${s.env}\``);
    }
  });
});
