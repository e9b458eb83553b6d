// Bad input and bad invocations: one line on stderr, a non-zero exit, no stack trace, no output.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, edgewatch, ok, tempDir } from './helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

let good: string;
beforeAll(async () => {
  good = join(dir, 'good.ewp');
  await ok(['profile', join(DATA, 'seattle-weather.csv'), '--out', good, '--quiet']);
});

/** Runs a command that must fail; returns its single stderr line. */
async function fails(args: string[], code = 1): Promise<string> {
  const r = await edgewatch(args);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^edgewatch: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
  return lines[0];
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('edgewatch on bad input', () => {
  it('refuses a CSV with a ragged row, naming the line', async () => {
    const path = file('ragged.csv', 'a,b,c\n1,2,3\n4,5,6\n7,8\n');
    expect(await fails(['profile', path, '--out', join(dir, 'x.ewp')])).toMatch(/ragged\.csv: .*columns length is 3, got 2 on line 4/);
  });

  it('refuses binary junk', async () => {
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const path = file('junk.csv', junk);
    expect(await fails(['profile', path, '--out', join(dir, 'x.ewp')])).toMatch(/junk\.csv: binary data, not text/);
  });

  it('stops at a bad byte or a ragged row deep inside a big file', async () => {
    const rows = Array.from({ length: 200000 }, (_, i) => `${i},${i % 7},label${i % 5}`).join('\n');
    const head = `a,b,c\n${rows}\n`;
    expect(head.length).toBeGreaterThan(2 * 1024 * 1024);
    const nul = file('deep-nul.csv', Buffer.concat([Buffer.from(head), Buffer.from([0x31, 0x00, 0x0a]), Buffer.from(head.slice(6))]));
    expect(await fails(['profile', nul, '--out', join(dir, 'x.ewp'), '--quiet'])).toMatch(
      new RegExp(`deep-nul\\.csv: binary data, not text \\(a NUL byte at byte ${head.length + 1}\\)`),
    );
    const ragged = file('deep-ragged.csv', `${head}1,2\n${rows}\n`);
    expect(await fails(['profile', ragged, '--out', join(dir, 'x.ewp'), '--quiet'])).toMatch(/columns length is 3, got 2 on line 200002/);
  });

  it('refuses bytes that are not UTF-8', async () => {
    const path = file('latin1.csv', Uint8Array.from([...Buffer.from('name,v\ncaf'), 0xe9, ...Buffer.from(',1\n')]));
    expect(await fails(['profile', path, '--out', join(dir, 'x.ewp')])).toMatch(/latin1\.csv: not UTF-8 text/);
  });

  it('refuses a profile from a newer format (version byte 99)', async () => {
    const bytes = new Uint8Array(readFileSync(good));
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('EWPF');
    bytes[4] = 99;
    const path = file('newer.ewp', bytes);
    expect(await fails(['inspect', path])).toMatch(/newer\.ewp: .*version 99 is newer/);
    expect(await fails(['drift', good, path])).toMatch(/newer\.ewp: .*version 99/);
  });

  it('refuses a truncated profile and a file that is not a profile', async () => {
    const bytes = readFileSync(good);
    expect(await fails(['inspect', file('cut.ewp', bytes.subarray(0, bytes.length >> 1))])).toMatch(/cut\.ewp: /);
    expect(await fails(['inspect', join(DATA, 'weather.csv')])).toMatch(/weather\.csv: .*not an edgewatch profile/);
    expect(await fails(['inspect', file('empty.ewp', '')])).toMatch(/empty\.ewp: empty file/);
  });

  it('names a missing file', async () => {
    expect(await fails(['profile', join(dir, 'nope.csv'), '--out', join(dir, 'x.ewp')])).toMatch(/nope\.csv: no such file/);
    expect(await fails(['drift', good, join(dir, 'nope.ewp')])).toMatch(/nope\.ewp: no such file/);
    expect(await fails(['inspect', dir])).toMatch(/is a directory/);
  });

  it('says when the profile cannot be written', async () => {
    const csv = join(DATA, 'seattle-weather.csv');
    expect(await fails(['profile', csv, '--out', join(dir, 'no-such-dir', 'x.ewp')])).toMatch(
      /cannot write .*x\.ewp: its directory does not exist/,
    );
    expect(await fails(['profile', csv, '--out', dir])).toMatch(/cannot write .*: it is a directory/);
  });

  it('refuses malformed JSON and JSON Lines, naming the place', async () => {
    expect(await fails(['profile', file('bad.jsonl', '{"a":1}\n{"a":\n'), '--out', join(dir, 'x.ewp')])).toMatch(
      /bad\.jsonl: line 2: invalid JSON/,
    );
    expect(await fails(['profile', file('scalar.jsonl', '{"a":1}\n42\n'), '--out', join(dir, 'x.ewp')])).toMatch(
      /line 2: expected a JSON object/,
    );
    expect(await fails(['profile', file('open.json', '[{"a":1},{"a":2}'), '--out', join(dir, 'x.ewp')])).toMatch(
      /open\.json: the JSON array is not closed/,
    );
    expect(await fails(['profile', file('object.json', '{"a":1}'), '--out', join(dir, 'x.ewp')])).toMatch(/not a JSON array/);
    expect(await fails(['profile', file('tail.json', '[{"a":1}] x'), '--out', join(dir, 'x.ewp')])).toMatch(/after the closing/);
  });

  it('refuses a header with a duplicate or empty name, and a file with no rows', async () => {
    expect(await fails(['profile', file('dup.csv', 'a,b,a\n1,2,3\n'), '--out', join(dir, 'x.ewp')])).toMatch(/names column "a" twice/);
    expect(await fails(['profile', file('blank.csv', 'a,,c\n1,2,3\n'), '--out', join(dir, 'x.ewp')])).toMatch(
      /column 2 of the header has no name/,
    );
    expect(await fails(['profile', file('header-only.csv', 'a,b\n'), '--out', join(dir, 'x.ewp')])).toMatch(/no rows/);
  });

  it('refuses a bad schema file', async () => {
    const csv = join(DATA, 'seattle-weather.csv');
    expect(await fails(['profile', csv, '--out', join(dir, 'x.ewp'), '--schema', file('s1.json', '{"columns": [')])).toMatch(
      /s1\.json: invalid JSON/,
    );
    expect(await fails(['profile', csv, '--out', join(dir, 'x.ewp'), '--schema', file('s2.json', '{"cols": []}')])).toMatch(
      /s2\.json: a schema is/,
    );
    expect(
      await fails([
        'profile',
        csv,
        '--out',
        join(dir, 'x.ewp'),
        '--schema',
        file('s3.json', '{"columns": [{"name": "wind", "kind": "tensor"}]}'),
      ]),
    ).toMatch(/s3\.json: .*unknown kind 'tensor'/);
  });

  it('reports a column whose kind changed as a schema change, compares the rest, and fails on it', async () => {
    const numeric = join(dir, 'kind-n.ewp');
    const text = join(dir, 'kind-c.ewp');
    await ok(['profile', file('kind-n.csv', 'v,w\n1,a\n2,b\n'), '--out', numeric, '--quiet']);
    await ok(['profile', file('kind-c.csv', 'v,w\nx,a\ny,b\n'), '--out', text, '--quiet']);
    const shown = await ok(['drift', numeric, text]);
    expect(shown.stdout).toContain("schema: 'v' is numeric in the baseline but categorical now (not compared)");
    expect(shown.stdout).toMatch(/^w\s+categorical/m);
    const r = await edgewatch(['drift', numeric, text, '--fail-on-drift']);
    expect(r.code).toBe(1);
  });

  it('--fail-on-drift fails when two profiles share no column', async () => {
    const a = join(dir, 'share-a.ewp');
    const b = join(dir, 'share-b.ewp');
    await ok(['profile', file('share-a.csv', 'x\n1\n2\n'), '--out', a, '--quiet']);
    await ok(['profile', file('share-b.csv', 'y\n1\n2\n'), '--out', b, '--quiet']);
    const r = await edgewatch(['drift', a, b, '--fail-on-drift', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).schema).toEqual({ flagged: true, missing: ['x'], added: ['y'], changed: [] });
  });
});

describe('edgewatch on bad invocations (exit status 2)', () => {
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['profile', 'x.csv'], /--out <path> is required/],
    [['profile', 'x.xml', '--out', 'y'], /cannot tell the format/],
    [['profile', 'x.csv', '--out', 'y', '--nope'], /Unknown option '--nope'/],
    [['profile', 'x.csv', '--out', 'x.csv'], /--out must not be the input file/],
    [['drift', 'a.ewp'], /expected <baseline> <current>/],
    [['drift', 'a.ewp', 'b.ewp', '--pvalue', 'small'], /--pvalue expects a number/],
    [['inspect'], /expected <profile>, got none/],
    [['baseline', 'set', 'p.ewp', '--model', 'm'], /--model and --version are required/],
    [['serve', '--port', 'eighty'], /--port: expected a non-negative integer/],
    [['keys', 'create', '--bogus'], /keys: unknown option --bogus/],
  ])('%j', async (args, message) => {
    expect(await fails(args as string[], 2)).toMatch(message as RegExp);
  });
});

describe('edgewatch help', () => {
  it.each(['profile', 'drift', 'inspect', 'serve', 'keys', 'baseline'])('%s --help prints usage and exits 0', async (command) => {
    const r = await ok([command, '--help']);
    expect(r.stdout).toMatch(new RegExp(`edgewatch ${command}`));
  });

  it('lists every command', async () => {
    const r = await ok(['--help']);
    for (const c of ['profile', 'drift', 'inspect', 'serve', 'keys', 'baseline']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const bare = await edgewatch([]);
    expect(bare.code).toBe(2);
    expect((await ok(['--version'])).stdout.trim()).toBe(JSON.parse(readFileSync(join(DATA, '../../../package.json'), 'utf8')).version);
  });
});
