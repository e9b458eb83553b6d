// The HTML drift report from real uploads: its figures are the core's on the raw rows (the
// merged aggregate equals the rows recorded at once), drifted columns are flagged and listed,
// the file is self-contained (no script, nothing fetched), a range without uploads says "no
// data", and `edgewatch report` writes the same report to a file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftOptions, defaultOptions } from '../../src/collector/config.ts';
import { sharedCore, type Core } from '../../src/collector/core.ts';
import { edgewatch, tempDir } from '../cli/helpers.ts';
import { BACKENDS } from './helpers/backends.ts';
import { get, post, putBaseline, startCollector, type Running } from './helpers/collector.ts';
import { makePayload, makeRows, profileOfRows, type Row } from './helpers/payloads.ts';

const MIN = 60_000;
const fmt = (x: number) => String(Number(x.toPrecision(4)));

describe('drift report', () => {
  let core: Core;
  let c: Running;
  const now = Date.now();
  const rows: Row[] = [];
  const baselineRows = makeRows(100, 3000);

  beforeAll(async () => {
    core = await sharedCore();
    c = await startCollector(BACKENDS[0]);
    const b = profileOfRows(core, baselineRows);
    await putBaseline(c, b);
    b.dispose();
    // Ten devices: five in the east, shifted; five in the west, not.
    for (let d = 0; d < 10; d++) {
      const r = makeRows(d, 200, d < 5 ? 20 : 0).map((x) => ({ ...x, plan: d % 2 ? 'enterprise' : x.plan }));
      rows.push(...r);
      const bytes = makePayload(core, {
        deviceId: `device-${d}`,
        uploadId: `upload-${d}`,
        windowStart: now - 20 * MIN,
        segment: { region: d < 5 ? 'east' : 'west' },
        rows: r,
      });
      expect((await post(`${c.url}/v1/ingest`, c.keys.ingest, bytes)).status).toBe(200);
    }
  });
  afterAll(async () => {
    await c?.stop();
  });

  const report = (query: string) => get(`${c.url}/v1/models/churn/versions/1.0.0/report?${query}`, c.keys.read);

  it("holds the core's figures on the raw rows, the drifted columns flagged, in one self-contained file", async () => {
    const r = await report(`from=${now - 60 * MIN}&to=${now}`);
    expect(r.status).toBe(200);
    const html = r.body as string;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img|iframe|object)\b|url\(|\bsrc=/i);
    const b = profileOfRows(core, baselineRows);
    const p = profileOfRows(core, rows);
    const truth = core.compare(b, p, driftOptions(defaultOptions())).columns;
    b.dispose();
    p.dispose();
    expect(html).toContain('<b>10</b> devices');
    expect(html).toContain(`<b>${rows.length}</b> rows`);
    for (const [name, d] of Object.entries(truth)) {
      const row = new RegExp(`<tr id="col-${name}" class="([a-z]*)">.*?</tr>`).exec(html);
      expect(row, name).not.toBeNull();
      expect(row![1]).toBe(d.drifted.drifted ? 'drifted' : '');
      expect(row![0]).toContain(`${d.drifted.test} ${fmt(d.drifted.value)} / ${fmt(d.drifted.threshold)}`);
      expect(row![0]).toContain(`${d.count[0]} → ${d.count[1]}`);
    }
    expect(truth.age.drifted.drifted).toBe(true);
    expect(html).toMatch(/Drifted, most severe first: .*href="#col-age"/);
    // Which segment: the shifted east first.
    const seg = html.split('Which segment: ')[1];
    expect(seg.indexOf('{&#34;region&#34;:&#34;east&#34;}')).toBeGreaterThan(0);
    expect(seg.indexOf('{&#34;region&#34;:&#34;east&#34;}')).toBeLessThan(seg.indexOf('{&#34;region&#34;:&#34;west&#34;}'));
    // The categories of plan, baseline and current counts.
    expect(html).toMatch(/<caption>plan<\/caption>.*<th scope="row">enterprise<\/th><td>\d+<\/td><td>\d+<\/td>/s);
  });

  it('says "no data" for a range without uploads, and refuses a bad range', async () => {
    const r = await report(`from=${now - 5 * 60 * MIN}&to=${now - 4 * 60 * MIN}`);
    expect(r.body).toContain('No upload in this range (no data).');
    expect((await report(`from=${now}&to=${now - 1}`)).status).toBe(400);
  });

  it('is written to a file by edgewatch report', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, 'report.html');
      const r = await edgewatch([
        'report',
        '--model',
        'churn',
        '--version',
        '1.0.0',
        '--last',
        '1h',
        '--out',
        out,
        '--url',
        c.url,
        '--key',
        c.keys.read,
      ]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^drift report of churn@1\.0\.0 written to .*report\.html \(\d+ bytes\)\n$/);
      const html = readFileSync(out, 'utf8');
      expect(html).toContain('<h1>Drift report: churn@1.0.0</h1>');
      expect(html).toContain('<b>10</b> devices');
      const bad = await edgewatch([
        'report',
        '--model',
        'churn',
        '--version',
        '1.0.0',
        '--last',
        'forever',
        '--url',
        c.url,
        '--key',
        c.keys.read,
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^edgewatch: report: --last expects a span such as 30m, 6h or 7d, got "forever"/);
    } finally {
      cleanup();
    }
  });
});
