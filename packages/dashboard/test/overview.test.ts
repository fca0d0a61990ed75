import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { poll } from '@kos/testing';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

describe.skipIf(missing !== null)('dashboard overview (real chromium, orchestrator and agent)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    await stack.agent('kpi-worker', ['crunch'], { delayMs: 150 });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const submit = async (goal: string, tasks: number) => {
    const r = await stack.admin.post<{ goal_id: string }>('/orchestration/decompose', {
      goal,
      tasks: Array.from({ length: tasks }, (_, i) => ({ name: `step ${i + 1}`, skills: ['crunch'] })),
    });
    expect(r.status).toBe(201);
    return r.body.goal_id;
  };
  const goalState = async (id: string) =>
    (await stack.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${id}`)).body.goal.state;

  it('shows the KPIs of a goal that ran, and follows the next goal live without a reload', async () => {
    const first = await submit('crunch the first numbers', 3);
    await poll(async () => (await goalState(first)) === 'succeeded', {
      timeoutMs: 30_000,
      what: 'goal 1 done',
    });

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await signIn(page, stack.server.url, stack.server.adminToken);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const text = (id: string) => page.getByTestId(id).textContent();

    await expect.poll(() => text('kpi-success-rate-value')).toBe('100%');
    expect(await text('kpi-p50')).toMatch(/\d+(\.\d+)? (ms|s)$/);
    expect(await text('kpi-p95')).toMatch(/\d+(\.\d+)? (ms|s)$/);
    expect(await text('kpi-throughput-value')).not.toBe('0/s');
    expect(await text('kpi-reliability-detail')).toContain('0 agents lost');
    // A chart per card, with one point per bucket of the hour (60 one-minute buckets).
    expect(await page.locator('[data-testid="kpi-throughput"] .sparkline canvas').count()).toBe(1);
    expect(await page.locator('[data-testid="kpi-throughput"] .sparkline').getAttribute('data-points')).toBe(
      '60',
    );
    const goalsSucceeded = page.locator('[data-testid="counts-goals"] li[data-state="succeeded"]');
    expect(await goalsSucceeded.getAttribute('data-count')).toBe('1');
    expect(
      await page.locator('[data-testid="counts-agents"] li[data-state="active"]').getAttribute('data-count'),
    ).toBe('1');
    expect(await page.getByTestId('queue-depth').locator('.card').count()).toBe(4);

    // The next goal changes the page through the live stream alone.
    const second = await submit('crunch the second numbers', 2);
    await poll(async () => (await goalState(second)) === 'succeeded', {
      timeoutMs: 30_000,
      what: 'goal 2 done',
    });
    await expect.poll(() => goalsSucceeded.getAttribute('data-count'), { timeout: 15_000 }).toBe('2');
    await expect
      .poll(() =>
        page.locator('[data-testid="counts-tasks"] li[data-state="succeeded"]').getAttribute('data-count'),
      )
      .toBe('5');
    await screenshot(page, 'overview');
    await page.close();
  });

  it('shows the ready queue per priority tier while tasks wait for a skill no agent has', async () => {
    const r = await stack.admin.post('/orchestration/decompose', {
      goal: 'wait for a missing skill',
      tasks: [
        { name: 'urgent', skills: ['nobody-has-this'], priority: 'critical' },
        { name: 'later a', skills: ['nobody-has-this'], priority: 'low' },
        { name: 'later b', skills: ['nobody-has-this'], priority: 'low' },
      ],
    });
    expect(r.status).toBe(201);
    const page = await browser.newPage();
    await signIn(page, stack.server.url, stack.server.adminToken);
    const tier = (t: string) => page.locator(`[data-testid="queue-${t}"] .value`).textContent();
    await expect.poll(() => tier('critical')).toBe('1');
    expect(await tier('low')).toBe('2');
    expect(await tier('high')).toBe('0');
    await page.close();
  });
});
