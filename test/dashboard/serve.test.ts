// registerDashboard on the collector's own app: a production build is served under /dashboard/,
// nothing outside the build folder is reachable, and no build is an error at start.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.ts';
import { registerDashboard } from '../../src/collector/http/dashboard.ts';
import { buildDashboard } from '../../src/dashboard/build.ts';

describe('registerDashboard', () => {
  let collector: Collector;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgewatch-dashboard-serve-'));
    collector = await createCollector({ dataDir: 'memory://', alertIntervalMs: 0 });
    await registerDashboard(collector.app, { dir: await buildDashboard(dir) });
    writeFileSync(join(tmpdir(), 'edgewatch-outside.txt'), 'content-outside-the-build');
  });
  afterAll(async () => {
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page and its bundle', async () => {
    const page = await collector.app.inject({ method: 'GET', url: '/dashboard/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toBe(readFileSync(join(dir, 'index.html'), 'utf8'));
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const js = await collector.app.inject({ method: 'GET', url: `/dashboard/${script}` });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect(js.body).toContain('ew-app');
  });

  it('redirects the bare prefix and refuses paths outside the build', async () => {
    const bare = await collector.app.inject({ method: 'GET', url: '/dashboard' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/dashboard/');
    for (const url of ['/dashboard/../../edgewatch-outside.txt', '/dashboard/%2e%2e/%2e%2e/edgewatch-outside.txt', '/dashboard/nope.js']) {
      const res = await collector.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('content-outside-the-build');
    }
  });

  it('leaves the API as it was', async () => {
    const res = await collector.app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(401);
  });

  it('refuses to start without a build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'edgewatch-dashboard-empty-'));
    const other = await createCollector({ dataDir: 'memory://', alertIntervalMs: 0 });
    try {
      await expect(registerDashboard(other.app, { dir: empty })).rejects.toThrow(`no dashboard build in ${empty}`);
    } finally {
      await other.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
