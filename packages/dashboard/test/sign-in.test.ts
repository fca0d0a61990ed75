import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

describe.skipIf(missing !== null)('dashboard sign-in (real chromium, real orchestrator)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('serves the app at / and signs in with a pasted token, keeping it out of the page', async () => {
    const page = await browser.newPage();
    await page.goto(stack.server.url + '/');
    await screenshot(page, 'sign-in');
    await signIn(page, stack.server.url, stack.server.adminToken);
    expect(await page.getByTestId('role').textContent()).toBe('admin');
    // The session is an HttpOnly cookie: the page's scripts cannot read it, nor the token anywhere.
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'kos_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    expect(await page.evaluate('document.cookie')).toBe('');
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })');
    expect(stored).not.toContain(stack.server.adminToken);
    expect(page.url()).not.toContain(stack.server.adminToken);
    // A reload keeps the session (the cookie), and a deep link opens its page.
    await page.goto(stack.server.url + '/agents');
    expect(await page.getByTestId('role').textContent()).toBe('admin');
    await page.close();
  });

  it('refuses a wrong token with the server’s typed error and stays signed out', async () => {
    const page = await browser.newPage();
    await page.goto(stack.server.url + '/');
    await page.getByLabel('Token').fill('kos_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('KOS_ERR_UNAUTHENTICATED');
    expect(await page.context().cookies()).toEqual([]);
    await page.close();
  });

  it('signs out: the cookie is cleared and the API refuses the page', async () => {
    const page = await browser.newPage();
    await signIn(page, stack.server.url, await stack.token('viewer'));
    expect(await page.getByTestId('role').textContent()).toBe('viewer');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').waitFor();
    const status = await page.evaluate(async () => (await fetch('/orchestration/status')).status);
    expect(status).toBe(401);
    await page.close();
  });
});
