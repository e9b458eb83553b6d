// One owner per PGlite data directory: while a collector runs on a directory, a second collector
// and the `keys` commands refuse with one line naming it, and touch nothing; once the owner is
// gone, even killed with SIGKILL, the directory opens again with everything it acknowledged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keysCommand } from '../../src/collector/keys-command.ts';
import { createCollector } from '../../src/collector/server.ts';
import { listKeys } from '../../src/collector/keys.ts';
import { openStorage } from '../../src/collector/storage/open.ts';
import { freePort, spawnCollector } from './helpers/process.ts';

describe('PGlite data directory lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second owner and keys commands while a collector runs, and opens after it died', async () => {
    // Keys made while stopped.
    expect(await keysCommand(['create', '--project', 'alpha', '--kind', 'read', '--data-dir', dir], () => {})).toBe(0);
    const port = await freePort();
    const running = await spawnCollector([
      '--data-dir',
      dir,
      '--port',
      String(port),
      '--rollup-interval-ms',
      '0',
      '--alert-interval-ms',
      '0',
    ]);
    try {
      const pid = running.child.pid!;
      const inUse = new RegExp(`data directory .* is in use by a running collector \\(pid ${pid}\\); stop it first`);
      await expect(createCollector({ dataDir: dir })).rejects.toThrow(inUse);
      await expect(openStorage({ dataDir: dir })).rejects.toThrow(inUse);
      for (const argv of [['create', '--project', 'alpha', '--kind', 'ingest'], ['list'], ['revoke', '1']]) {
        const err = await keysCommand([...argv, '--data-dir', dir], () => {}).catch((e: Error) => e);
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(inUse);
        expect((err as Error).message).not.toContain('\n');
      }
      // The running collector was not disturbed.
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    } finally {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    // A lock left behind by a killed owner is taken over.
    const db = await openStorage({ dataDir: dir });
    try {
      expect((await listKeys(db, {})).map((k) => k.kind)).toEqual(['read']);
      // …and held again: this process now owns the directory.
      await expect(openStorage({ dataDir: dir })).rejects.toThrow(/in use by a running collector/);
    } finally {
      await db.close();
    }
  });
});
