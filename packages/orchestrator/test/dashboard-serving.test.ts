import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, useServer } from '@kos/testing';
import { configFile } from './fixtures.ts';

const BUILT = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@kos/dashboard/package.json')),
  'dist',
);

const get = (url: string, accept = 'text/html') => fetch(url, { headers: { accept } });

describe('the dashboard served at / (built by npm run build)', () => {
  const running = useServer();

  it('answers the app at / with a strict content security policy and revalidation', async () => {
    const res = await get(`${running.server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<div id="root">');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers the app for a page path it routes in the browser, and keeps typed 404s for the API and files', async () => {
    const page = await get(`${running.server.url}/goals/some-goal?state=running`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    for (const p of ['/orchestration/no-such-route', '/assets/no-such-file.js']) {
      const res = await get(running.server.url + p);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('KOS_ERR_ROUTE_NOT_FOUND');
    }
    const post = await fetch(`${running.server.url}/goals`, {
      method: 'POST',
      headers: { accept: 'text/html' },
    });
    expect(post.status).toBe(404);
  });

  it('serves the hashed assets as immutable', async () => {
    const asset = readdirSync(path.join(BUILT, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await get(`${running.server.url}/assets/${asset}`, '*/*');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
  });
});

describe('the dashboard when its build is missing', () => {
  const running = useServer(() => ({
    configFile: configFile([`dashboard:\n  dir: ${tempDir('kos-no-build-')}`]),
  }));

  it('answers pages with 503 KOS_ERR_DASHBOARD_NOT_BUILT saying to run the build, and the API still works', async () => {
    const res = await get(`${running.server.url}/`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('KOS_ERR_DASHBOARD_NOT_BUILT');
    expect(body.error.message).toContain('npm run build');
    expect((await running.admin.get('/orchestration/status')).status).toBe(200);
  });
});

describe('the dashboard turned off (dashboard.enabled: false)', () => {
  const running = useServer(() => ({ configFile: configFile(['dashboard:\n  enabled: false']) }));

  it('serves nothing at /', async () => {
    const res = await get(`${running.server.url}/`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('KOS_ERR_ROUTE_NOT_FOUND');
  });
});
