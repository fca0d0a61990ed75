/**
 * Dashboard figures for BENCHMARKS.md, on a real stack (orchestrator process, Debian chromium):
 * the overview's first contentful paint, and for a 10,000-task goal (100 dependency layers of 100)
 * the time from navigation until its DAG is drawn (the first layer node on screen) and its FCP.
 *
 *   node --conditions=kos-source --import tsx packages/dashboard/test/measure.ts
 *
 * Build the dashboard first (npm run build). Each figure is the median of RUNS page loads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, startStack } from './harness.ts';

const RUNS = 5;
const TASKS = 10_000;
const LAYER = 100;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function firstContentfulPaint(page: Page): Promise<number> {
  return page.evaluate<number>(`new Promise((resolve) => {
    const now = () => performance.getEntriesByName('first-contentful-paint')[0];
    if (now()) return resolve(now().startTime);
    new PerformanceObserver((list, obs) => {
      const e = list.getEntriesByName('first-contentful-paint')[0];
      if (e) { obs.disconnect(); resolve(e.startTime); }
    }).observe({ type: 'paint', buffered: true });
  })`);
}

const dir = mkdtempSync(join(tmpdir(), 'kos-measure-'));
const configFile = join(dir, 'kos.yaml');
writeFileSync(configFile, `limits:\n  max_tasks_per_goal: ${TASKS}\n  max_body_bytes: 8388608\n`);
const [stack, browser] = await Promise.all([startStack({ configFile }), launchBrowser()]);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(page, stack.server.url, stack.server.adminToken);

  const overviewFcp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${stack.server.url}/`);
    overviewFcp.push(await firstContentfulPaint(page));
  }

  const tasks = Array.from({ length: TASKS }, (_, i) => ({
    name: `t${i}`,
    skills: ['unserved-skill'],
    ...(i >= LAYER ? { depends_on: [`t${i - LAYER}`] } : {}),
  }));
  const submitted = Date.now();
  const r = await stack.admin.post<{ goal_id: string }>('/orchestration/decompose', {
    goal: 'measure',
    tasks,
  });
  if (r.status !== 201) throw new Error(`decompose: ${r.status} ${JSON.stringify(r.body)}`);
  const submitMs = Date.now() - submitted;

  const drawnMs: number[] = [];
  const goalFcp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${stack.server.url}/goals/${r.body.goal_id}`, { waitUntil: 'commit' });
    await page.locator('[data-testid=dag-layer]').first().waitFor({ timeout: 120_000 });
    // Since navigation start, in the page's own clock.
    drawnMs.push(await page.evaluate<number>('performance.now()'));
    goalFcp.push(await firstContentfulPaint(page));
  }

  const figures = {
    runs: RUNS,
    overview_fcp_ms: Math.round(median(overviewFcp)),
    large_goal: {
      tasks: TASKS,
      layers: TASKS / LAYER,
      submit_ms: submitMs,
      fcp_ms: Math.round(median(goalFcp)),
      dag_drawn_ms: Math.round(median(drawnMs)),
    },
  };
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await browser.close();
  await stack.stop();
}
