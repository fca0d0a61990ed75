import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { SubmitGoalResponse } from '@kos/contracts';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

/** A server that takes 10,000-task goals (and their 1 MB+ bodies). */
function largeGoalConfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kos-dash-')), 'kos.yaml');
  writeFileSync(file, 'limits:\n  max_tasks_per_goal: 10000\n  max_body_bytes: 8388608\n');
  return file;
}

async function submit(stack: Stack, goal: string, tasks: unknown[]): Promise<SubmitGoalResponse> {
  const r = await stack.admin.post<SubmitGoalResponse>('/orchestration/decompose', { goal, tasks });
  if (r.status !== 201) throw new Error(`decompose: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const nodes = (page: Page, state?: string) =>
  page.locator(
    state === undefined ? '[data-testid=dag-node]' : `[data-testid=dag-node][data-state=${state}]`,
  );

describe.skipIf(missing !== null)('goal page DAG (real chromium, orchestrator and agents)', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack({ configFile: largeGoalConfig() }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, stack.server.url, stack.server.adminToken);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('draws a submitted DAG and turns its nodes green live as an agent runs them, without a reload', async () => {
    const work = { skills: ['dag-work'] };
    const { goal_id } = await submit(stack, 'watch the dag go green', [
      { name: 'fetch', ...work },
      { name: 'clean', ...work, depends_on: ['fetch'] },
      { name: 'index', ...work, depends_on: ['fetch'] },
      { name: 'report', ...work, depends_on: ['clean', 'index'] },
    ]);
    await page.goto(`${stack.server.url}/goals/${goal_id}`);
    await expect.poll(() => nodes(page).count(), { timeout: 15_000 }).toBe(4);
    expect(await page.getByTestId('goal-title').textContent()).toBe('watch the dag go green');
    // No agent has the skill yet: nothing has run.
    expect(await nodes(page, 'succeeded').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe(4);
    await page.evaluate('window.__sameDocument = true');

    await stack.agent('dag-worker', ['dag-work'], { delayMs: 600 });
    await expect.poll(() => nodes(page, 'succeeded').count(), { timeout: 30_000 }).toBe(4);
    await expect.poll(() => page.getByTestId('goal-state').textContent()).toBe('succeeded');
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
    expect(await page.getByTestId('goal-counts').textContent()).toContain('4 of 4 succeeded');
    await screenshot(page, 'goal-dag');

    // A node opens its task.
    await nodes(page).filter({ hasText: 'report' }).click();
    await expect.poll(() => page.getByTestId('task-title').textContent()).toBe('report');
    expect(page.url()).toMatch(/\/tasks\//);
  });

  it('cancels a running goal from its page after asking', async () => {
    const { goal_id } = await submit(stack, 'a goal to cancel', [
      { name: 'never runs', skills: ['nobody-has-this'] },
      { name: 'after it', skills: ['nobody-has-this'], depends_on: ['never runs'] },
    ]);
    await page.goto(`${stack.server.url}/goals/${goal_id}`);
    await page.getByRole('button', { name: 'Cancel goal' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the goal' }).click();
    await expect.poll(() => page.getByTestId('goal-state').textContent()).toBe('cancelled');
    await expect.poll(() => nodes(page, 'cancelled').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Cancel goal' }).count()).toBe(0);
    const r = await stack.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${goal_id}`);
    expect(r.body.goal.state).toBe('cancelled');
  });

  it('opens a 10,000-task goal collapsed into layer nodes with counts, and expands a layer on click', async () => {
    // 100 layers of 100: each task depends on the one 100 before it; no agent has the skill.
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({
      name: `t${i}`,
      skills: ['unserved-skill'],
      ...(i >= 100 ? { depends_on: [`t${i - 100}`] } : {}),
    }));
    const { goal_id } = await submit(stack, 'a very large goal', tasks);
    await page.goto(`${stack.server.url}/goals/${goal_id}`);
    const dag = page.getByTestId('dag');
    await dag.waitFor({ timeout: 60_000 });
    expect(await dag.getAttribute('data-collapsed')).toBe('true');
    expect(await dag.getAttribute('data-layers')).toBe('100');
    const first = page.locator('[data-testid=dag-layer][data-layer="0"]');
    await first.waitFor({ timeout: 30_000 });
    expect(await first.getAttribute('data-total')).toBe('100');
    expect(await first.getByTestId('layer-counts').textContent()).toMatch(/(ready|pending) 100/);
    expect(await nodes(page).count()).toBe(0);
    // The task table holds every task but renders only the rows in view.
    expect(await page.getByTestId('task-table').getAttribute('aria-rowcount')).toBe('10001');
    expect(await page.locator('[data-testid=task-table] [role=row][aria-rowindex]').count()).toBeLessThan(60);
    await screenshot(page, 'goal-dag-large');

    await first.click();
    await expect.poll(() => nodes(page).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Collapse layer 1' }).waitFor();
    // Still responsive: the page answers and collapses the layer again.
    await page.getByRole('button', { name: 'Collapse layer 1' }).click();
    await expect.poll(() => nodes(page).count(), { timeout: 20_000 }).toBe(0);
  }, 120_000);
});
