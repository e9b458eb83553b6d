// Starts a worker thread on one of the collector's modules. The packages ship JavaScript (a
// module's `new URL('./x.ts', import.meta.url)` becomes ./x.js); in the repository the sources are
// TypeScript run through tsx, whose hooks a worker thread does not inherit (nor take from
// `execArgv` on Node 20), so there the worker loads its module through tsx's own API.
import { Worker } from 'node:worker_threads';

export function startModuleWorker(module: URL): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module);
  const api = import.meta.resolve('tsx/esm/api');
  const load = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(module.href)}, ${JSON.stringify(module.href)}))`;
  return new Worker(load, { eval: true });
}
