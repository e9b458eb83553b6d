// Builds the dashboard for production with vite's build API: src/dashboard/index.html and what it
// imports, bundled into one folder (default dist/dashboard, where the collector's dashboard plugin
// looks) with relative asset URLs, so the folder can be served under any path. Run when the
// collector package is built and by `npm install` in the repository; never by a collector.
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

export const DASHBOARD_SOURCE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DASHBOARD_DIR = resolve(DASHBOARD_SOURCE, '../../dist/dashboard');

export async function buildDashboard(outDir = DEFAULT_DASHBOARD_DIR): Promise<string> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(`building the dashboard needs vite (a development dependency); build it beforehand with "npm run build:dashboard"`);
  }
  await vite.build({
    root: DASHBOARD_SOURCE,
    base: './',
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  });
  return outDir;
}

// `node --import tsx src/dashboard/build.ts [outDir]` builds it from the command line.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildDashboard(process.argv[2] ? resolve(process.argv[2]) : undefined).then(
    (dir) => console.log(`edgewatch dashboard built in ${dir}`),
    (err) => {
      console.error(`edgewatch dashboard: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
