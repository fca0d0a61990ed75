import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Http, startServer, type ServerHandle } from '@kos/testing';
import { browserMissing, launchBrowser, screenshot, signIn } from './harness.ts';

const missing = browserMissing();

describe.skipIf(missing !== null)(
  'dashboard events (real chromium, an orchestrator restarted under it)',
  () => {
    let server: ServerHandle;
    let browser: Browser;
    let admin: Http;
    beforeAll(async () => {
      [server, browser] = await Promise.all([startServer(), launchBrowser()]);
      admin = new Http(server.url, server.adminToken);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      server?.cleanup();
    });

    /** A goal whose tasks wait for a skill no agent has: each cancel is one more of its events. */
    const submit = async (goal: string, tasks: number) => {
      const r = await admin.post<{ goal_id: string; subtasks: { id: string }[] }>(
        '/orchestration/decompose',
        {
          goal,
          tasks: Array.from({ length: tasks }, (_, i) => ({
            name: `wait ${i + 1}`,
            skills: ['nobody-has-this'],
          })),
        },
      );
      expect(r.status).toBe(201);
      return { goalId: r.body.goal_id, taskIds: r.body.subtasks.map((t) => t.id) };
    };
    const cancel = async (taskId: string) =>
      expect(
        (await admin.post(`/orchestration/tasks/${taskId}/cancel`, { reason: 'events test' })).status,
      ).toBe(200);
    /** Every event of the goal as the server lists it, newest first (the page's order). */
    const serverSeqs = async (goalId: string) => {
      const seqs: number[] = [];
      let after = 0;
      for (;;) {
        const r = await admin.get<{ events: { seq: number }[]; next: number | null }>(
          `/orchestration/events?goal_id=${goalId}&after=${after}&limit=1000`,
        );
        seqs.push(...r.body.events.map((e) => e.seq));
        if (r.body.next === null) break;
        after = r.body.next;
      }
      return seqs.reverse();
    };
    const pageSeqs = (page: Page) =>
      page.evaluate<number[]>(
        `Array.from(document.querySelectorAll('[data-testid="event-row"]'), (r) => Number(r.dataset.seq))`,
      );
    const openLog = async (query: string) => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
      await signIn(page, server.url, server.adminToken);
      await page.goto(`${server.url}/events?${query}`);
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      return page;
    };

    it('holds new events while paused, counting them, and shows them all on resume', async () => {
      const { goalId, taskIds } = await submit('pause me', 3);
      const page = await openLog(`goal_id=${goalId}`);
      await expect.poll(() => page.getByTestId('events-stream').getAttribute('data-state')).toBe('live');
      const before = await serverSeqs(goalId);
      await expect.poll(() => pageSeqs(page)).toEqual(before);

      await page.getByRole('button', { name: 'Pause' }).click();
      await cancel(taskIds[0]!);
      await cancel(taskIds[1]!);
      const after = await serverSeqs(goalId);
      const fresh = after.length - before.length;
      expect(fresh).toBeGreaterThanOrEqual(2);
      await expect.poll(() => page.getByTestId('events-held').getAttribute('data-count')).toBe(String(fresh));
      expect(await pageSeqs(page)).toEqual(before);
      await screenshot(page, 'events-paused');

      await page.getByRole('button', { name: /^Resume/ }).click();
      await expect.poll(() => pageSeqs(page)).toEqual(after);
      expect(await page.getByTestId('events-held').count()).toBe(0);
      await page.close();
    });

    it('narrows the log to one kind with the filter form, backfill and live alike', async () => {
      const { goalId, taskIds } = await submit('filter my kinds', 2);
      const page = await openLog(`goal_id=${goalId}`);
      await page.getByLabel('Kind').selectOption('task.state');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('kind')).toBe('task.state');
      await expect.poll(() => page.getByTestId('events-stream').getAttribute('data-state')).toBe('live');
      await cancel(taskIds[0]!);
      const all = await admin.get<{ events: { seq: number; kind: string }[] }>(
        `/orchestration/events?goal_id=${goalId}&limit=1000`,
      );
      const want = all.body.events
        .filter((e) => e.kind === 'task.state')
        .map((e) => e.seq)
        .reverse();
      expect(want.length).toBeLessThan(all.body.events.length);
      await expect.poll(() => pageSeqs(page)).toEqual(want);
      expect(await page.locator('[data-testid="event-row"] td:nth-child(3)').allTextContents()).toEqual(
        want.map(() => 'task.state'),
      );
      await page.close();
    });

    it('resumes after the orchestrator restarts with exactly the server’s events, no gap or duplicate', async () => {
      const { goalId, taskIds } = await submit('watch me across a restart', 5);
      await submit('someone else’s goal', 1);
      await cancel(taskIds[0]!);
      const page = await openLog(`goal_id=${goalId}`);
      const stream = page.getByTestId('events-stream');
      await expect.poll(() => stream.getAttribute('data-state')).toBe('live');
      await expect.poll(() => pageSeqs(page)).toEqual(await serverSeqs(goalId));
      await cancel(taskIds[1]!);
      await expect.poll(() => pageSeqs(page)).toEqual(await serverSeqs(goalId));

      // Killed, not stopped: a SIGTERM'd orchestrator does not exit while an event stream is open
      // (its shutdown does not end the streams yet), and a crash is the harder case anyway.
      const port = Number(new URL(server.url).port);
      const beforeRestart = (await serverSeqs(goalId))[0]!;
      await server.kill();
      await expect.poll(() => stream.getAttribute('data-state')).not.toBe('live');
      server = await startServer({ dataDir: server.dataDir, port });
      admin = new Http(server.url, server.adminToken);
      // Right after the restart, maybe before the page reconnects; then once it is back.
      await cancel(taskIds[2]!);
      await submit('noise from another goal', 1);
      await expect.poll(() => stream.getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
      await cancel(taskIds[3]!);
      await cancel(taskIds[4]!);

      const want = await serverSeqs(goalId);
      await expect.poll(() => pageSeqs(page), { timeout: 15_000 }).toEqual(want);
      const got = await pageSeqs(page);
      expect(new Set(got).size).toBe(got.length);
      // The three cancels after the restart, each one event or more, are among them.
      expect(want.filter((seq) => seq > beforeRestart).length).toBeGreaterThanOrEqual(3);
      await screenshot(page, 'events');
      await page.close();
    }, 120_000);
  },
);
