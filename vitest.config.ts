import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { browserCommands } from './test/browser/commands.ts';

// Browser tests run in a real headless Chromium. Nothing is downloaded: we drive the system's
// Chromium (Debian's /usr/bin/chromium) or the one CHROMIUM_PATH points at.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const wantsBrowser = !process.argv.some((a) => a === '--project=node' || a === 'node');
if (wantsBrowser && !existsSync(chromiumPath)) {
  throw new Error(
    `edgewatch browser tests need Chromium at ${chromiumPath}. ` + `Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser.test.ts', 'test/e2e/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The demo end to end: each file runs a whole demo (collector, devices in Chromium) whose
        // windows must fill in real time, so they run one at a time, after everything else.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Pre-bundled up front: discovering them mid-run makes vite reload a running test.
        optimizeDeps: { include: ['onnx-proto', 'onnxruntime-web/wasm', 'comlink', 'idb', 'lit', 'uplot'] },
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            commands: browserCommands,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
