import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { poll } from '@kos/testing';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

interface AgentBody {
  id: string;
  name: string;
  state: string;
  health: { quarantine: { reason: string } | null };
}

describe.skipIf(missing !== null)('dashboard agents (real chromium, orchestrator and agents)', () => {
  let stack: Stack;
  let browser: Browser;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    // a: quarantined for the viewer; b: released by the admin; c: runs the agent page's tasks;
    // d: drained; typed-q (registered over REST): quarantined with a reason typed on the page.
    // One at a time: four processes compiling at once on two shared cores outlast the harness' wait.
    await stack.agent('fleet-a', ['crunch']);
    await stack.agent('fleet-b', ['crunch', 'report']);
    await stack.agent('fleet-c', ['audit'], { delayMs: 100 });
    await stack.agent('fleet-d', ['crunch']);
    expect(
      (await stack.admin.post('/orchestration/register', { context_id: 'typed-q', skills: ['idle'] })).status,
    ).toBe(200);
    for (const a of await list()) ids[a.name] = a.id;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const list = async () =>
    (await stack.admin.get<{ agents: AgentBody[] }>('/orchestration/agents')).body.agents;
  const agent = async (name: string) =>
    (await stack.admin.get<{ agent: AgentBody }>(`/orchestration/agents/${ids[name]}`)).body.agent;
  const quarantine = async (name: string, reason: string) => {
    const r = await stack.admin.post(`/orchestration/agents/${ids[name]}/quarantine`, { reason });
    expect(r.status).toBe(200);
  };
  const row = (page: Page, name: string) =>
    page.locator(`[data-testid="agent-row"][data-agent-id="${ids[name]}"]`);
  const openAs = async (token: string, path = '/agents') => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(8_000);
    await signIn(page, stack.server.url, token);
    await page.goto(stack.server.url + path);
    return page;
  };

  it('lets an admin release a quarantined agent, which leaves quarantine on the page', async () => {
    await quarantine('fleet-b', 'suspicious results');
    const page = await openAs(stack.server.adminToken);
    const b = row(page, 'fleet-b');
    await expect.poll(() => b.getAttribute('data-state')).toBe('quarantined');
    expect(await b.textContent()).toContain('suspicious results');
    // The state filter narrows the table to it.
    await page.getByLabel('State').selectOption('quarantined');
    await expect.poll(() => page.getByTestId('agents-count').textContent()).toBe('1 of 5 agents');
    await screenshot(page, 'agents-quarantined');
    await page.getByLabel('State').selectOption('');

    await b.getByRole('button', { name: 'Release' }).click();
    await expect.poll(() => page.getByTestId('action-outcome').textContent()).toContain('fleet-b released');
    await expect.poll(() => b.getAttribute('data-state')).not.toBe('quarantined');
    expect((await agent('fleet-b')).state).not.toBe('quarantined');
    expect(await b.getByRole('button', { name: 'Release' }).count()).toBe(0);
    await screenshot(page, 'agents');
    await page.close();
  });

  it('shows a viewer no action buttons, and the server refuses the action when the page calls it anyway', async () => {
    await quarantine('fleet-a', 'viewer test');
    const page = await openAs(await stack.token('viewer'));
    await expect.poll(() => row(page, 'fleet-a').getAttribute('data-state')).toBe('quarantined');
    expect(await page.getByTestId('agent-row').count()).toBe(5);
    expect(await page.getByTestId('agents-table').getByRole('button').count()).toBe(0);

    const answer = await page.evaluate<{ status: number; body: { error?: { code?: string } } }>(`
      fetch('/orchestration/agents/${ids['fleet-a']}/release', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kos-csrf': '1' },
        body: '{}',
      }).then(async (r) => ({ status: r.status, body: await r.json() }))`);
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('KOS_ERR_FORBIDDEN');
    const after = await agent('fleet-a');
    expect(after.state).toBe('quarantined');
    expect(after.health.quarantine?.reason).toBe('viewer test');
    await page.close();
    expect((await stack.admin.post(`/orchestration/agents/${ids['fleet-a']}/release`, {})).status).toBe(200);
  });

  it('lets an admin quarantine an agent with a reason typed on the page', async () => {
    const page = await openAs(stack.server.adminToken);
    const q = row(page, 'typed-q');
    await q.getByRole('button', { name: 'Quarantine…' }).click();
    const prompt = page.getByRole('form', { name: 'quarantine typed-q' });
    expect(await prompt.getByRole('button', { name: 'Quarantine' }).isDisabled()).toBe(true);
    await prompt.getByRole('textbox').fill('rotating its key');
    await prompt.getByRole('button', { name: 'Quarantine' }).click();
    await expect.poll(() => q.getAttribute('data-state')).toBe('quarantined');
    expect((await agent('typed-q')).health.quarantine?.reason).toBe('rotating its key');
    expect(await q.textContent()).toContain('rotating its key');
    await page.close();
  });

  it('drains an agent from the page: it leaves active for draining', async () => {
    const page = await openAs(stack.server.adminToken);
    const d = row(page, 'fleet-d');
    await d.getByRole('button', { name: 'Drain…' }).click();
    await page.getByRole('form', { name: 'drain fleet-d' }).getByRole('button', { name: 'Drain' }).click();
    await expect.poll(() => d.getAttribute('data-state')).toBe('draining');
    expect((await agent('fleet-d')).state).toBe('draining');
    await page.close();
  });

  it('shows an agent’s fields, stats per skill and recent tasks with their outcomes and links', async () => {
    const r = await stack.admin.post<{ goal_id: string }>('/orchestration/decompose', {
      goal: 'audit the books',
      policy: { on_task_death: 'continue' },
      tasks: [
        { name: 'audit ok', skills: ['audit'] },
        { name: 'audit bad', skills: ['audit'], input: { fail: true } },
      ],
    });
    expect(r.status).toBe(201);
    const goalId = r.body.goal_id;
    await poll(
      async () =>
        (await stack.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${goalId}`)).body.goal
          .state !== 'running',
      { timeoutMs: 30_000, what: 'the audit goal finished' },
    );
    const page = await openAs(stack.server.adminToken, `/agents/${ids['fleet-c']}`);
    await page.getByRole('heading', { name: 'Agent fleet-c' }).waitFor();
    const tasks = page.getByTestId('agent-tasks');
    await expect.poll(() => tasks.locator('tbody tr').count()).toBe(2);
    const bad = tasks.locator('tr', { hasText: 'audit bad' });
    expect(await bad.locator('.badge').getAttribute('data-state')).toBe('dead');
    expect(await bad.textContent()).toContain('asked_to_fail');
    expect(
      await tasks.locator('tr', { hasText: 'audit ok' }).locator('.badge').getAttribute('data-state'),
    ).toBe('succeeded');
    expect(await bad.getByRole('link', { name: goalId }).getAttribute('href')).toBe(`/goals/${goalId}`);
    expect(await bad.getByRole('link', { name: 'audit bad' }).getAttribute('href')).toMatch(/^\/tasks\//);
    const stats = page.getByRole('table', { name: 'Stats per skill' }).locator('tr', { hasText: 'audit' });
    expect((await stats.locator('td').allTextContents()).slice(0, 4)).toEqual(['audit', '1', '1', '50.0%']);
    expect(await page.getByTestId('agent-quarantine').textContent()).toContain('not quarantined');
    await screenshot(page, 'agent');
    await page.close();
  });

  it('keeps a fleet of 1,000 agents to the rows in view, and scrolls to the last one', async () => {
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          stack.admin.post('/orchestration/register', {
            context_id: `bulk-${String(i + k).padStart(4, '0')}`,
            skills: ['bulk'],
          }),
        ),
      );
    }
    const page = await openAs(stack.server.adminToken);
    await expect.poll(() => page.getByTestId('agents-count').textContent()).toBe('1005 of 1005 agents');
    const rendered = await page.getByTestId('agent-row').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
    await page.getByPlaceholder('name, id, skill, reason').fill('bulk-');
    await expect.poll(() => page.getByTestId('agents-count').textContent()).toBe('1000 of 1005 agents');
    await page.getByTestId('agents-table').hover();
    await page.mouse.wheel(0, 1000 * 40);
    await expect.poll(() => page.getByTestId('agent-row').last().textContent()).toContain('bulk-0999');
    expect(await page.getByTestId('agent-row').count()).toBeLessThan(60);
    await page.close();
  });
});
