// The packages as users get them: both are built and packed, the tarballs installed into fresh
// projects, and each way of using them is tried there — plain Node, a Vite app (build and dev
// server), a page with no bundler, esbuild with the app's own worker, and TypeScript with
// create-vite's strict settings. Browser checks run in the system's Chromium against a collector
// started from the installed collector package; nothing is read from the repository's sources.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPackages, packPackages } from '../../scripts/build-packages.ts';
import { classifierReference, churnClassifier } from '../fixtures/onnx/build-model.ts';
import { launchChromium } from '../edge/harness/serve.ts';
import {
  appModule,
  asJavaScript,
  copyInto,
  CREATE_VITE_TSCONFIG,
  indexHtml,
  readmeEmbedSnippet,
  writeFiles,
  writeModel,
} from './helpers/apps.ts';
import { loadApp, type Loaded } from './helpers/browser.ts';
import { ingestCounts, createKey, edgewatchBin, startCollector, type RunningCollector } from './helpers/collector.ts';
import { exec, folderBytes, newProject, packagesWithInstallScripts, repoVersion, type Project } from './helpers/npm.ts';
import { serveStatic } from './helpers/static-server.ts';

const ROW = [0.5, 1.5, -0.25, 2];
const TRAINING_CSV = [
  'age,plan_price,tickets,trend',
  ...Array.from({ length: 400 }, (_, i) => `${20 + (i % 50)},${((i * 7) % 90) + 9.99},${i % 6},${((i * 13) % 21) / 10 - 1}`),
].join('\n');

let work: string;
let tarballs: { edgewatch: string; collector: string };
let server: Project;
let app: Project;
let collector: RunningCollector;
let browser: Browser;
let ingestKey: string;
const snippet = readmeEmbedSnippet(readFileSync('README.md', 'utf8'));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'edgewatch-packages-'));
  await buildPackages();
  tarballs = packPackages(join(work, 'tarballs'));
  [server, app] = await Promise.all([
    newProject(work, 'server', [tarballs.edgewatch, tarballs.collector]),
    newProject(work, 'app', [
      tarballs.edgewatch,
      `onnxruntime-web@${repoVersion('onnxruntime-web')}`,
      `vite@${repoVersion('vite')}`,
      `esbuild@${repoVersion('esbuild')}`,
      `typescript@${repoVersion('typescript')}`,
    ]),
  ]);

  // The README's order for the private mode: keys, then the baseline, then the embed snippet.
  const data = join(work, 'collector-data');
  ingestKey = await createKey(server.dir, data, ['--project', 'shop', '--kind', 'ingest']);
  const adminKey = await createKey(server.dir, data, ['--project', 'shop', '--kind', 'admin']);
  collector = await startCollector(server.dir, ['--data-dir', data, '--port', '0']);
  writeFileSync(join(server.dir, 'train.csv'), TRAINING_CSV);
  await exec(server.dir, edgewatchBin(server.dir), ['profile', 'train.csv', '--out', 'baseline.ewp', '--quiet']);
  await exec(server.dir, edgewatchBin(server.dir), [
    'baseline',
    'set',
    'baseline.ewp',
    '--model',
    'churn',
    '--version',
    '3.1.0',
    '--url',
    collector.url,
    '--key',
    adminKey,
  ]);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
  if (work && !process.env.EDGEWATCH_KEEP_PACKAGE_TESTS) rmSync(work, { recursive: true, force: true });
});

/** What every browser check asserts: the model ran, the window went to the collector, both wasm files typed right. */
async function expectMonitoredInference(loaded: () => Promise<Loaded>): Promise<Loaded> {
  const before = await ingestCounts(collector.url);
  const result = await loaded();
  const expected = classifierReference(churnClassifier, ROW);
  result.report.scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i], 5));
  expect(result.report.status).toMatchObject({ privacy: 'dp', storage: 'indexeddb', outbox: 0 });
  expect(await ingestCounts(collector.url), collector.output()).toEqual({ accepted: before.accepted + 1, rejected: before.rejected });
  // Bundlers may add a content hash to the names: edgewatch-<hash>.wasm.
  const wasm = result.responses.filter((r) => r.path.endsWith('.wasm'));
  expect(wasm.map((r) => /\/(edgewatch|ort-wasm-simd-threaded)[^/]*\.wasm$/.exec(r.path)?.[1]).sort()).toEqual([
    'edgewatch',
    'ort-wasm-simd-threaded',
  ]);
  for (const r of wasm) expect([r.path, r.status, r.type]).toEqual([r.path, 200, 'application/wasm']);
  return result;
}

const settings = () => ({ collector: collector.url, ingestKey, row: ROW });

describe('the edgewatch package', () => {
  test('installed alone it is small, runs no install scripts and imports in plain Node', async () => {
    const alone = await newProject(work, 'alone', [tarballs.edgewatch], ['--legacy-peer-deps']);
    expect(folderBytes(join(alone.dir, 'node_modules'))).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(packagesWithInstallScripts(join(alone.dir, 'node_modules'))).toEqual([]);
    writeFileSync(
      join(alone.dir, 'check.mjs'),
      `import { loadCore } from 'edgewatch';
const core = await loadCore();
const h = core.histogram();
const values = Array.from({ length: 10001 }, (_, i) => 1 + i / 100);
for (const v of values) h.add(v);
console.log(JSON.stringify({ count: h.count, median: h.quantile(0.5) }));`,
    );
    const out = JSON.parse(await exec(alone.dir, process.execPath, ['check.mjs'])) as { count: number; median: number };
    expect(out.count).toBe(10001);
    // The exact median of 1, 1.01, …, 101 is 51; the default histogram keeps within 1.08%.
    expect(Math.abs(out.median - 51) / 51).toBeLessThanOrEqual(0.0108);
    const manifest = JSON.parse(readFileSync(join(alone.dir, 'node_modules/edgewatch/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.sideEffects).toBe(false);
    expect(Object.keys(manifest.dependencies as object).sort()).toEqual(['@hpke/core', 'comlink', 'idb']);
  });

  test('a Vite app built from the README snippet runs the model in its worker and uploads', async () => {
    writeModel(join(app.dir, 'public'));
    writeFiles(app.dir, {
      'index.html': indexHtml('<script type="module" src="/src/main.ts"></script>'),
      'src/main.ts': appModule(snippet, settings()),
    });
    await exec(app.dir, join(app.dir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn']);
    const site = await serveStatic(join(app.dir, 'dist'));
    try {
      await expectMonitoredInference(() => loadApp(browser, `${site.url}/`));
    } finally {
      await site.close();
    }
  });

  test("the same app on Vite's dev server", async () => {
    const { createServer } = (await import(join(app.dir, 'node_modules/vite/dist/node/index.js'))) as typeof import('vite');
    const dev = await createServer({ root: app.dir, logLevel: 'error', server: { host: '127.0.0.1', port: 0, hmr: false } });
    await dev.listen();
    try {
      const { port } = dev.httpServer!.address() as { port: number };
      await expectMonitoredInference(() => loadApp(browser, `http://127.0.0.1:${port}/`));
    } finally {
      await dev.close();
    }
  });

  test('a page with no bundler: plain ES modules and an import map for the packages', async () => {
    const importMap = {
      imports: {
        'edgewatch/edge': '/node_modules/edgewatch/dist/edge/index.js',
        comlink: '/node_modules/comlink/dist/esm/comlink.mjs',
        idb: '/node_modules/idb/build/index.js',
        'onnxruntime-web/wasm': '/node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs',
      },
    };
    writeFiles(app.dir, {
      'plain/index.html': indexHtml(
        `<script type="importmap">${JSON.stringify(importMap)}</script>\n<script type="module" src="./main.js"></script>`,
      ),
      'plain/main.js': asJavaScript(appModule(snippet, settings())),
    });
    // The app's folder as the site: /node_modules/… and /models/… (public/) both served from it.
    copyInto(app.dir, { 'models/churn.onnx': join(app.dir, 'public/models/churn.onnx') });
    const site = await serveStatic(app.dir);
    try {
      await expectMonitoredInference(() => loadApp(browser, `${site.url}/plain/`));
    } finally {
      await site.close();
    }
  });

  test("esbuild: the app's own worker from edgewatch/worker, the wasm files served where the host says", async () => {
    writeFiles(app.dir, {
      'esb/src/monitor-worker.ts': `import { exposeMonitorWorker } from 'edgewatch/worker';\nexposeMonitorWorker({ ort: () => import('onnxruntime-web/wasm') });\n`,
      'esb/src/main.ts': appModule(snippet, settings(), {
        options: "coreWasm: '/wasm/edgewatch.wasm', ort: { wasmPaths: { wasm: '/wasm/ort-wasm-simd-threaded.wasm' } },",
        worker: "new Worker('/monitor-worker.js', { type: 'module' })",
      }),
      'esb/index.html': indexHtml('<script type="module" src="/main.js"></script>'),
    });
    await exec(app.dir, join(app.dir, 'node_modules/.bin/esbuild'), [
      'esb/src/main.ts',
      'esb/src/monitor-worker.ts',
      '--bundle',
      '--format=esm',
      '--splitting',
      '--outdir=esb/out',
      '--log-level=warning',
    ]);
    copyInto(app.dir, {
      'esb/out/index.html': join(app.dir, 'esb/index.html'),
      'esb/out/models/churn.onnx': join(app.dir, 'public/models/churn.onnx'),
      'esb/out/wasm/edgewatch.wasm': join(app.dir, 'node_modules/edgewatch/build/edgewatch.wasm'),
      'esb/out/wasm/ort-wasm-simd-threaded.wasm': join(app.dir, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'),
    });
    const site = await serveStatic(join(app.dir, 'esb/out'));
    try {
      const { responses } = await expectMonitoredInference(() => loadApp(browser, `${site.url}/`));
      expect(
        responses
          .filter((r) => r.path.endsWith('.wasm'))
          .map((r) => r.path)
          .sort(),
      ).toEqual(['/wasm/edgewatch.wasm', '/wasm/ort-wasm-simd-threaded.wasm']);
    } finally {
      await site.close();
    }
  });

  test("TypeScript with create-vite's strict tsconfig type-checks the apps against the published types", async () => {
    writeFiles(app.dir, {
      'tsconfig.json': JSON.stringify({ ...CREATE_VITE_TSCONFIG, include: ['src', 'esb/src'] }, null, 2),
      'src/core-use.ts': `import { loadCore, type Profile } from 'edgewatch';
const core = await loadCore();
const profile: Profile = core.profile({ columns: [{ name: 'age', kind: 'numeric' }] });
profile.dispose();
export {};
`,
    });
    await exec(app.dir, join(app.dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json']);
  });
});

describe('the edgewatch-collector package', () => {
  test('installs without engine warnings or install scripts', () => {
    expect(server.installLog).not.toMatch(/EBADENGINE/);
    expect(packagesWithInstallScripts(join(server.dir, 'node_modules'))).toEqual([]);
  });

  test('serves the prebuilt dashboard and its CLI profiles and compares files', async () => {
    const page = await fetch(`${collector.url}/dashboard/`);
    expect(page.status).toBe(200);
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    const bundle = await fetch(`${collector.url}/dashboard/${script}`);
    expect([bundle.status, bundle.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await bundle.text()).toContain('ew-app');
    // The dashboard reads column names from edgewatch/columns: no engine is bundled into it.
    const shipped = readdirSync(join(server.dir, 'node_modules/edgewatch-collector/dist/dashboard'), { recursive: true, encoding: 'utf8' });
    expect(shipped.filter((f) => f.endsWith('.wasm'))).toEqual([]);
    const drift = JSON.parse(await exec(server.dir, edgewatchBin(server.dir), ['drift', 'baseline.ewp', 'baseline.ewp', '--json'])) as {
      columns: Record<string, { drifted: { drifted: boolean } }>;
    };
    expect(Object.keys(drift.columns).sort()).toEqual(['age', 'plan_price', 'tickets', 'trend']);
    expect(Object.values(drift.columns).map((c) => c.drifted.drifted)).toEqual([false, false, false, false]);
  });

  test('stops cleanly on SIGTERM sent to the edgewatch process', async () => {
    expect(await collector.stop('SIGTERM')).toBe(0);
    expect(collector.output()).toContain('SIGTERM');
    await expect(fetch(`${collector.url}/healthz`)).rejects.toThrow();
  });
});
