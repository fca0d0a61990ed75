import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { SubmitGoalResponse } from '@kos/contracts';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

async function submit(stack: Stack, goal: string, tasks: unknown[]): Promise<SubmitGoalResponse> {
  const r = await stack.admin.post<SubmitGoalResponse>('/orchestration/decompose', { goal, tasks });
  if (r.status !== 201) throw new Error(`decompose: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const ACTIONS = ['Approve', 'Deny', 'Retry', 'Cancel task', 'Cancel goal'];

async function actionButtons(page: Page): Promise<string[]> {
  const shown: string[] = [];
  for (const name of ACTIONS) if ((await page.getByRole('button', { name }).count()) > 0) shown.push(name);
  return shown;
}

describe.skipIf(missing !== null)('task page (real chromium, orchestrator and agent)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    await stack.agent('task-worker', ['gated'], { delayMs: 300 });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('approves a task awaiting approval as admin and shows it run, with its history and assignment', async () => {
    const { subtasks } = await submit(stack, 'a gated task', [
      { name: 'gate', skills: ['gated'], input: { n: 1 }, policy: { approval: { before_run: true } } },
    ]);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, stack.server.url, stack.server.adminToken);
    await page.goto(`${stack.server.url}/tasks/${subtasks[0]!.id}`);
    await expect.poll(() => page.getByTestId('task-state').textContent()).toBe('awaiting approval');
    expect(await page.getByTestId('receipt').getAttribute('data-status')).toBe('no_result');

    await page.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByTestId('task-state').textContent(), { timeout: 30_000 })
      .toBe('succeeded');
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    // Every transition with its epoch, the assignment with the score that chose the agent.
    const timeline = (await page.getByTestId('timeline').textContent()) ?? '';
    expect(timeline).toContain('awaiting_approval → ready');
    expect(timeline).toContain('→ succeeded');
    expect(timeline).toContain('epoch 1');
    const assignment = (await page.getByTestId('assignments').textContent()) ?? '';
    expect(assignment).toMatch(/load \d+\/\d+/);
    expect(await page.getByTestId('attempts').textContent()).toContain('1 of');
    // Reported over KLP: pending until the agent's next signed frame (a heartbeat) covers it, then
    // attributed to its key — the page follows without a reload.
    await expect
      .poll(() => page.getByTestId('receipt').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('verified');
    expect(await page.getByTestId('receipt').textContent()).toContain('verified: attributed to key ed25519:');
    await screenshot(page, 'task');
    await page.close();
  });

  it('offers a viewer no action on the goal and task pages that offer them to an admin', async () => {
    const { goal_id, subtasks } = await submit(stack, 'a goal a viewer only looks at', [
      { name: 'waits', skills: ['gated'], policy: { approval: { before_run: true } } },
    ]);
    const taskUrl = `${stack.server.url}/tasks/${subtasks[0]!.id}`;
    const goalUrl = `${stack.server.url}/goals/${goal_id}`;

    const admin = await browser.newPage();
    await signIn(admin, stack.server.url, stack.server.adminToken);
    await admin.goto(taskUrl);
    await admin.getByTestId('task-title').waitFor();
    expect(await actionButtons(admin)).toEqual(['Approve', 'Deny', 'Cancel task']);
    await admin.goto(goalUrl);
    await admin.getByTestId('goal-title').waitFor();
    expect(await actionButtons(admin)).toEqual(['Cancel goal']);
    await admin.close();

    const viewer = await browser.newPage();
    await signIn(viewer, stack.server.url, await stack.token('viewer'));
    await viewer.goto(taskUrl);
    await viewer.getByTestId('task-title').waitFor();
    expect(await viewer.getByTestId('task-state').textContent()).toBe('awaiting approval');
    expect(await actionButtons(viewer)).toEqual([]);
    await viewer.goto(goalUrl);
    await viewer.getByTestId('goal-title').waitFor();
    expect(await actionButtons(viewer)).toEqual([]);
    await viewer.close();
  });
});
