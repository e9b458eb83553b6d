// The apps a user would write around the installed `edgewatch`: the README's embed snippet as a
// Vite app's main module, the same page with no bundler (an import map for the peers), an
// esbuild build with the app's own worker, and create-vite's strict tsconfig to type-check them.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildClassifier, churnClassifier } from '../../fixtures/onnx/build-model.ts';

/** The first TypeScript block of the README's "Embed it in your app" section, as written there. */
export function readmeEmbedSnippet(readme: string): string {
  const section = readme.slice(readme.indexOf('## Embed it in your app'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```ts block under "## Embed it in your app"');
  return block;
}

export interface AppSettings {
  collector: string;
  ingestKey: string;
  /** The row the page predicts on; the test checks the scores against the model's reference. */
  row: number[];
}

/**
 * The page's module: the snippet with the collector's URL and key put in for the placeholders,
 * `data` defined before it, and a report of what happened after it (the window flushed to the
 * collector, the scores, the monitor's status) left on globalThis for the test to read.
 */
export function appModule(snippet: string, s: AppSettings, extra: { options?: string; worker?: string } = {}): string {
  const placeholders = ["'https://collector.example'", "'ewi_…'"];
  for (const p of placeholders) if (!snippet.includes(p)) throw new Error(`the README snippet no longer has the placeholder ${p}`);
  let body = snippet.replace(placeholders[0], JSON.stringify(s.collector)).replace(placeholders[1], JSON.stringify(s.ingestKey));
  if (extra.options) body = body.replace('createMonitor({', `createMonitor({\n  ${extra.options}`);
  if (extra.worker) body = body.replace(/\n\}\);\n/, `\n}, { worker: ${extra.worker} });\n`);
  return [
    `const data = new Float32Array(${JSON.stringify(s.row)});`,
    body,
    'await monitor.flush();',
    'const scores = Array.from(Object.values(outputs)[0].data as ArrayLike<number>);',
    'Object.assign(globalThis, { __edgewatch: { scores, predictionId, status: await monitor.status() } });',
    '',
  ].join('\n');
}

/** The same module as plain JavaScript, for a page with no bundler (the snippet itself is JS). */
export const asJavaScript = (module: string): string => module.replace(' as ArrayLike<number>', '');

export function writeModel(publicDir: string): void {
  mkdirSync(join(publicDir, 'models'), { recursive: true });
  writeFileSync(join(publicDir, 'models/churn.onnx'), buildClassifier(churnClassifier));
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

export function copyInto(root: string, files: Record<string, string>): void {
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(dirname(join(root, to)), { recursive: true });
    copyFileSync(from, join(root, to));
  }
}

export const indexHtml = (script: string): string =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><title>app</title></head>\n<body>${script}</body></html>\n`;

/** create-vite's vanilla-ts tsconfig (Vite 8), with skipLibCheck off so the published .d.ts are checked too. */
export const CREATE_VITE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    useDefineForClassFields: true,
    module: 'ESNext',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    types: ['vite/client'],
    skipLibCheck: false,
    moduleResolution: 'bundler',
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    moduleDetection: 'force',
    noEmit: true,
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    erasableSyntaxOnly: true,
    noFallthroughCasesInSwitch: true,
    noUncheckedSideEffectImports: true,
  },
  include: ['src'],
};

export const readText = (path: string): string => readFileSync(path, 'utf8');
