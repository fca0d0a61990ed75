import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

const CYCLE = `goal: a goal with a cycle
tasks:
  - name: a
    skills: [work]
    depends_on: [c]
  - name: b
    skills: [work]
    depends_on: [a]
  - name: c
    skills: [work]
    depends_on: [b]
  - name: free
    skills: [work]
`;

const VALID = `goal: a valid explicit dag
tasks:
  - name: a
    skills: [work]
  - name: b
    skills: [work]
    depends_on: [a]
`;

describe.skipIf(missing !== null)('submit page (real chromium, real orchestrator)', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, stack.server.url, stack.server.adminToken);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const spec = () => page.getByLabel('DAG (YAML or JSON)');

  it('shows a parse error with its line number as the DAG is typed', async () => {
    await page.goto(`${stack.server.url}/submit?mode=dag`);
    await spec().fill('tasks:\n  - name: a\n    skills: [work\n  - name: b\n');
    await expect.poll(() => page.getByTestId('spec-errors').textContent()).toContain('line 4');
    expect(await page.getByRole('button', { name: 'Submit DAG' }).isDisabled()).toBe(true);
  });

  it('shows a refused cycle beside the tasks in it, then submits a valid DAG and lands on its page', async () => {
    await page.goto(`${stack.server.url}/submit?mode=dag`);
    await spec().fill(CYCLE);
    await page.getByRole('button', { name: 'Submit DAG' }).click();
    const task = (name: string) => page.locator(`[data-testid=spec-tasks] li[data-task="${name}"]`);
    await expect.poll(() => task('a').getAttribute('data-invalid')).toBe('true');
    expect(await task('a').getByRole('alert').textContent()).toContain('KOS_ERR_DAG_CYCLE');
    expect(await task('b').getAttribute('data-invalid')).toBe('true');
    expect(await task('c').getAttribute('data-invalid')).toBe('true');
    expect(await task('free').getAttribute('data-invalid')).toBe('false');
    const goals = await stack.admin.get<{ goals: unknown[] }>('/orchestration/goals');
    expect(goals.body.goals).toHaveLength(0);

    await spec().fill(VALID);
    await page.getByRole('button', { name: 'Submit DAG' }).click();
    await page.waitForURL(/\/goals\/[^/]+$/);
    await expect.poll(() => page.getByTestId('goal-title').textContent()).toBe('a valid explicit dag');
    expect(await page.locator('.dag-panel').count()).toBe(1);
  });

  it('previews the template and tasks a goal’s text would get, then submits it', async () => {
    await page.goto(`${stack.server.url}/submit`);
    await page.getByLabel('Goal', { exact: true }).fill('analyze customer data trends');
    await page.getByTestId('preview').waitFor({ timeout: 10_000 });
    const template = (await page.getByTestId('preview-template').textContent()) ?? '';
    expect(template).not.toBe('');
    expect(await page.locator('[data-testid=preview] li').count()).toBeGreaterThan(0);
    await screenshot(page, 'submit');
    const before = await stack.admin.get<{ goals: unknown[] }>('/orchestration/goals');
    await page.getByRole('button', { name: 'Submit goal' }).click();
    await page.waitForURL(/\/goals\/[^/]+$/);
    await expect
      .poll(() => page.getByTestId('goal-title').textContent())
      .toBe('analyze customer data trends');
    const after = await stack.admin.get<{ goals: { template: string }[] }>('/orchestration/goals');
    expect(after.body.goals).toHaveLength(before.body.goals.length + 1);
    expect(after.body.goals[0]!.template).toBe(template);
  });
});
