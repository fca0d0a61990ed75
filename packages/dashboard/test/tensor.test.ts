import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { poll } from '@kos/testing';
import { browserMissing, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.ts';

const missing = browserMissing();

interface Tensor {
  tasks: string[];
  task_names: string[];
  agent_names: string[];
  entries: [number, number, number, number][];
  explanations: [number, number, { trust: number | null; explanation: string }][];
}

describe.skipIf(missing !== null)('dashboard tensor (real chromium, orchestrator and agents)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    // One slot each and slow tasks: two tasks stay leased, the others ready, while the test looks.
    await stack.agent('heat-1', ['heat'], { delayMs: 120_000, maxParallel: 1 });
    await stack.agent('heat-2', ['heat'], { delayMs: 120_000, maxParallel: 1 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('draws a cell per non-zero pair for a goal’s tasks, and hovering a ready one shows its score parts', async () => {
    const submit = await stack.admin.post<{ goal_id: string }>('/orchestration/decompose', {
      goal: 'warm the heatmap',
      tasks: Array.from({ length: 5 }, (_, i) => ({
        name: `heat ${i + 1}`,
        skills: ['heat'],
        priority: 'high',
      })),
    });
    expect(submit.status).toBe(201);
    const goalId = submit.body.goal_id;
    const other = await stack.admin.post('/orchestration/decompose', {
      goal: 'another goal',
      tasks: [{ name: 'nobody can', skills: ['nobody-has-this'] }],
    });
    expect(other.status).toBe(201);
    // Two leased (1.0 at the holder) and three ready (a share for each of the two agents).
    const tensor = await poll(
      async () => {
        const t = (
          await stack.admin.get<Tensor>(`/orchestration/tensor?format=sparse&explain=true&goal_id=${goalId}`)
        ).body;
        return t.entries.length === 8 ? t : undefined;
      },
      { timeoutMs: 30_000, what: 'two tasks leased, three ready' },
    );

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, stack.server.url, stack.server.adminToken);
    await page.goto(`${stack.server.url}/tensor`);
    await expect
      .poll(() => page.getByTestId('tensor-shape').textContent())
      .toBe('6 tasks × 2 agents, 8 non-zero cells');
    await page.getByLabel('Goal').selectOption(goalId);
    await expect
      .poll(() => page.getByTestId('tensor-shape').textContent())
      .toBe('5 tasks × 2 agents, 8 non-zero cells');
    const heatmap = page.getByTestId('heatmap');
    expect(await heatmap.getAttribute('data-cells')).toBe('8');

    const n = tensor.explanations.findIndex(([, , p]) => p.trust !== null);
    const [i, j, parts] = tensor.explanations[n]!;
    const value = tensor.entries[n]![3];
    const left = Number(await heatmap.getAttribute('data-left'));
    const top = Number(await heatmap.getAttribute('data-top'));
    const cell = Number(await heatmap.getAttribute('data-cell'));
    const x = left + (j + 0.5) * cell;
    const y = top + (i + 0.5) * cell;
    // The cell is painted; a leased task's cell at the agent not holding it is left grey (empty).
    const pixel = (px: number, py: number) =>
      page.evaluate<number[]>(`(() => {
        const c = document.querySelector('[data-testid="heatmap"]');
        const r = window.devicePixelRatio || 1;
        return Array.from(c.getContext('2d').getImageData(${px} * r, ${py} * r, 1, 1).data);
      })()`);
    expect(await pixel(x, y)).not.toEqual([243, 244, 246, 255]);
    const held = tensor.explanations.find(([, , p]) => p.trust === null)!;
    const grey = [243, 244, 246, 255];
    expect(await pixel(left + (1 - held[1] + 0.5) * cell, top + (held[0] + 0.5) * cell)).toEqual(grey);

    const box = (await heatmap.boundingBox())!;
    await page.mouse.move(box.x + x, box.y + y);
    const tip = page.getByTestId('heatmap-tooltip');
    await tip.waitFor();
    expect(await tip.getByTestId('tip-task').textContent()).toBe(tensor.task_names[i]);
    expect(await tip.getByTestId('tip-agent').textContent()).toBe(tensor.agent_names[j]);
    expect(await tip.getByTestId('tip-value').textContent()).toBe(value.toFixed(3));
    expect(await tip.getByTestId('tip-trust').textContent()).toBe(parts.trust!.toFixed(2));
    expect(await tip.getByTestId('tip-explanation').textContent()).toBe(parts.explanation);
    await screenshot(page, 'tensor');

    // A leased task's cell: the holder, with no parts to show.
    await page.mouse.move(box.x + left + (held[1] + 0.5) * cell, box.y + top + (held[0] + 0.5) * cell);
    await expect.poll(() => tip.getByTestId('tip-explanation').textContent()).toBe('holds the lease');
    expect(await tip.getByTestId('tip-value').textContent()).toBe('1.000');
    await page.close();
  });
});
