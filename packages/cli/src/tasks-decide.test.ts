/** `kos tasks retry|approve|deny` against a real orchestrator process, in-process through `run`. */
import { describe, expect, it } from 'vitest';
import type { WireSubtask, WireTask } from '@kos/contracts';
import { useKosServer } from './test-server.ts';

const cli = useKosServer();

describe('kos tasks retry | approve | deny', () => {
  it('lists tasks awaiting approval and decides them by short id; a wrong state exits 1 with its code', async () => {
    const gate = { approval: { before_run: true } };
    const { subtasks } = await cli.admin.decompose({
      goal: 'two gated steps',
      tasks: [
        { name: 'go', skills: ['nobody'], policy: gate },
        { name: 'stop', skills: ['nobody'], policy: gate },
      ],
    });
    const [go, stop] = subtasks as [WireSubtask, WireSubtask];
    const listed = await cli.kos(['tasks', '--state', 'awaiting_approval', '--json']);
    expect(listed.code).toBe(0);
    const waiting = (JSON.parse(listed.out) as { tasks: WireTask[] }).tasks.map((t) => t.id);
    expect(waiting).toEqual(expect.arrayContaining([go.id, stop.id]));

    const approved = await cli.kos(['tasks', 'approve', go.id.slice(0, 8), '--reason', 'ok by ops']);
    expect(approved).toMatchObject({ code: 0, out: `task ${go.id} ready\n` });
    const denied = await cli.kos(['tasks', 'deny', stop.id.slice(0, 8)]);
    expect(denied).toMatchObject({ code: 0, out: `task ${stop.id} dead\n` });

    const again = await cli.kos(['tasks', 'approve', go.id]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('KOS_ERR_TASK_NOT_AWAITING_APPROVAL');
    // The goal fails fast: the approved task was skipped when the other one was denied.
    expect((await cli.admin.getTask(go.id)).task).toMatchObject({
      state: 'cancelled',
      error: { code: 'skipped.goal_failed' },
    });

    const retried = await cli.kos(['tasks', 'retry', stop.id.slice(0, 8), '--json']);
    expect(retried.code).toBe(0);
    expect((JSON.parse(retried.out) as { task: WireTask }).task).toMatchObject({
      id: stop.id,
      state: 'ready',
    });
    // Reopened by the retry, it passes its approval gate again.
    expect((await cli.admin.getTask(go.id)).task.state).toBe('awaiting_approval');
    const history = (await cli.admin.getTask(stop.id)).history;
    expect(history.find((e) => e.data['decision'] === 'denied')?.data['reason']).toBe(
      'denied by an operator',
    );
  });
});
