import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { SubmitGoalResponse } from '@kos/contracts';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

async function submit(stack: Stack, goal: string): Promise<string> {
  const tasks = [{ name: 'waits', skills: ['nobody-has-this'] }];
  const r = await stack.admin.post<SubmitGoalResponse>('/orchestration/decompose', { goal, tasks });
  if (r.status !== 201) throw new Error(`decompose: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.goal_id;
}

const rows = (page: Page) => page.locator('[data-testid=goal-list] [role=row][aria-rowindex]');

describe.skipIf(missing !== null)('goals page (real chromium, real orchestrator)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('filters goals by text and state on the server and keeps the filters in the URL', async () => {
    await submit(stack, 'alpha report one');
    const cancelled = await submit(stack, 'alpha report two');
    await submit(stack, 'beta cleanup');
    await stack.admin.post(`/orchestration/goals/${cancelled}/cancel`, {});
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, stack.server.url, stack.server.adminToken);
    await page.goto(`${stack.server.url}/goals`);
    await expect.poll(() => rows(page).count()).toBe(3);

    await page.getByLabel('Text').fill('ALPHA');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows(page).count()).toBe(2);
    expect(page.url()).toContain('q=ALPHA');
    await page.getByRole('checkbox', { name: 'cancelled' }).check();
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await rows(page).first().textContent()).toContain('alpha report two');
    await screenshot(page, 'goals');

    await page.reload();
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'cancelled' }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: 'running' }).check();
    await page.getByRole('checkbox', { name: 'cancelled' }).uncheck();
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await rows(page).first().textContent()).toContain('alpha report one');
    await page.close();
  });

  it('bulk cancels the filtered open goals after saying how many it will cancel', async () => {
    const ids = await Promise.all([1, 2, 3].map((n) => submit(stack, `bulk target ${n}`)));
    const spared = await submit(stack, 'spared goal');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, stack.server.url, stack.server.adminToken);
    await page.goto(`${stack.server.url}/goals?q=bulk%20target`);
    await expect.poll(() => rows(page).count()).toBe(3);
    await page.getByRole('button', { name: 'Cancel matching goals…' }).click();
    const confirm = page.getByRole('group', { name: 'confirm bulk cancel' });
    await expect
      .poll(() => confirm.textContent())
      .toContain('Cancel 3 open goals matching text “bulk target”');
    await confirm.getByRole('button', { name: 'Cancel 3 goals' }).click();
    await expect.poll(() => page.getByTestId('bulk-cancel-result').textContent()).toBe('Cancelled 3 goals.');
    for (const id of ids) {
      const r = await stack.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${id}`);
      expect(r.body.goal.state).toBe('cancelled');
    }
    const r = await stack.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${spared}`);
    expect(r.body.goal.state).toBe('running');
    await expect
      .poll(() => page.locator('[data-testid=goal-list] .badge[data-state=cancelled]').count())
      .toBe(3);
    await page.close();
  });

  it('offers a viewer the list but no bulk cancel', async () => {
    const page = await browser.newPage();
    await signIn(page, stack.server.url, await stack.token('viewer'));
    await page.goto(`${stack.server.url}/goals`);
    await expect.poll(() => rows(page).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Cancel matching goals…' }).count()).toBe(0);
    await page.close();
  });
});
