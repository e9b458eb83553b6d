// What edgewatch adds to a web app's download: the same Vite 8 app built twice from the packed
// packages — once running the model with onnxruntime-web alone in a worker, once through the
// README's createMonitor snippet — and the emitted JavaScript and wasm compared, raw and gzip.
// The secure mode has a worker of its own (it seals windows with the HPKE library); it ships with
// every app but is fetched only by monitors in that mode, so it is counted apart: the goal is on
// what every other monitor loads.
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildPackages, packPackages } from '../scripts/build-packages.ts';
import { appModule, indexHtml, readmeEmbedSnippet, writeFiles, writeModel } from '../test/packages/helpers/apps.ts';
import { exec, newProject, repoVersion } from '../test/packages/helpers/npm.ts';
import { bytes, table } from './lib/table.ts';

const GOALS = { jsGzip: 30 * 1024, wasmGzip: 50 * 1024 };

/** The baseline app: what an app running the same model in a worker with onnxruntime-web alone ships. */
const ORT_ONLY_MAIN = `const worker = new Worker(new URL('./ort-worker.ts', import.meta.url), { type: 'module' });
const data = new Float32Array([0.5, 1.5, -0.25, 2]);
worker.postMessage(data, [data.buffer]);
worker.onmessage = (e) => Object.assign(globalThis, { __scores: e.data });
`;
const ORT_ONLY_WORKER = `import * as ort from 'onnxruntime-web/wasm';
ort.env.wasm.numThreads = 1;
const session = ort.InferenceSession.create('/models/churn.onnx', { executionProviders: ['wasm'] });
self.onmessage = async (e: MessageEvent<Float32Array>) => {
  const out = await (await session).run({ input: new ort.Tensor('float32', e.data, [1, 4]) });
  self.postMessage(Array.from(Object.values(out)[0].data as Float32Array));
};
`;

interface Sizes {
  js: number;
  jsGzip: number;
  wasm: number;
  wasmGzip: number;
}

/** What only a secure-mode monitor fetches: its worker (src/edge/secure-worker.ts). */
const SECURE_ONLY = /(^|\/)secure-worker[-\w]*\.js$/;

function emitted(dir: string, only?: RegExp, except?: RegExp): Sizes {
  const sizes: Sizes = { js: 0, jsGzip: 0, wasm: 0, wasmGzip: 0 };
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const kind = name.endsWith('.js') ? 'js' : name.endsWith('.wasm') ? 'wasm' : undefined;
    if (!kind || (only && !only.test(name)) || except?.test(name)) continue;
    const body = readFileSync(join(dir, name));
    sizes[kind] += body.length;
    sizes[`${kind}Gzip`] += gzipSync(body, { level: 9 }).length;
  }
  return sizes;
}

export async function run(): Promise<void> {
  console.log('# Bytes edgewatch adds to an app');
  console.log('one Vite 8 production build each (dist/assets: every .js and .wasm), gzip -9\n');
  const work = mkdtempSync(join(tmpdir(), 'edgewatch-bundle-size-'));
  try {
    await buildPackages();
    const { edgewatch } = packPackages(join(work, 'tarballs'));
    const app = await newProject(work, 'app', [
      edgewatch,
      `onnxruntime-web@${repoVersion('onnxruntime-web')}`,
      `vite@${repoVersion('vite')}`,
    ]);
    writeModel(join(app.dir, 'public'));
    const vite = join(app.dir, 'node_modules/.bin/vite');
    const build = async (name: string, files: Record<string, string>): Promise<Sizes> => {
      writeFiles(join(app.dir, name), { 'index.html': indexHtml('<script type="module" src="./main.ts"></script>'), ...files });
      await exec(app.dir, vite, ['build', name, '--outDir', `../dist-${name}`, '--emptyOutDir', '--logLevel', 'warn']);
      return emitted(join(app.dir, `dist-${name}`), undefined, SECURE_ONLY);
    };
    const ortOnly = await build('ort-only', { 'main.ts': ORT_ONLY_MAIN, 'ort-worker.ts': ORT_ONLY_WORKER });
    const snippet = readmeEmbedSnippet(readFileSync('README.md', 'utf8'));
    const monitored = await build('monitored', {
      'main.ts': appModule(snippet, { collector: 'https://collector.example', ingestKey: 'ewi_x', row: [0.5, 1.5, -0.25, 2] }),
    });
    const secureOnly = emitted(join(app.dir, 'dist-monitored'), SECURE_ONLY);
    const added: Sizes = {
      js: monitored.js - ortOnly.js,
      jsGzip: monitored.jsGzip - ortOnly.jsGzip,
      wasm: monitored.wasm - ortOnly.wasm,
      wasmGzip: monitored.wasmGzip - ortOnly.wasmGzip,
    };
    const row = (name: string, s: Sizes) => [name, bytes(s.js), bytes(s.jsGzip), bytes(s.wasm), bytes(s.wasmGzip)];
    console.log(
      table(
        ['app', 'JS', 'JS gzip', 'wasm', 'wasm gzip'],
        [
          row('onnxruntime-web alone', ortOnly),
          row('with edgewatch', monitored),
          row('added by edgewatch', added),
          row('secure-mode worker (its own)', secureOnly),
        ],
        [false, true, true, true, true],
      ),
    );
    const verdict = (v: number, goal: number) => `${v <= goal ? 'PASS' : 'MISS'} (${bytes(v)} of at most ${bytes(goal)})`;
    console.log(
      `\ngoal JS gzip added: ${verdict(added.jsGzip, GOALS.jsGzip)}; wasm gzip added: ${verdict(added.wasmGzip, GOALS.wasmGzip)}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
