/** `kos tasks` and `kos status` say why tasks wait, against a real orchestrator process. */
import { describe, expect, it } from 'vitest';
import { poll } from '@kos/testing';
import type { WireSubtask } from '@kos/contracts';
import { useKosServer } from './test-server.ts';

const cli = useKosServer();

describe('kos tasks and kos status: why tasks wait', () => {
  it('show the reason a round held a task back with, and the dependencies a pending task waits for', async () => {
    const { goal_id: goalId, subtasks } = await cli.admin.decompose({
      goal: 'needs a skill nobody has',
      tasks: [
        { name: 'train', skills: ['tw-gpu'] },
        { name: 'report', skills: ['tw-gpu'], depends_on: ['train'] },
      ],
    });
    const [train] = subtasks as [WireSubtask];
    await poll(
      async () => (await cli.admin.getTask(train.id)).task.waiting_reason?.code === 'missing_skills',
    );

    const table = await cli.kos(['tasks', '--goal', goalId]);
    expect(table.code).toBe(0);
    const rows = table.out.split('\n');
    expect(rows[0]).toMatch(/WAITING$/);
    expect(rows.find((r) => r.includes('train'))).toMatch(/no active agent has skill tw-gpu$/);
    expect(rows.find((r) => r.includes('report'))).toMatch(/waiting for 1 dependency to succeed$/);

    const shown = await cli.kos(['tasks', 'show', train.id.slice(0, 8)]);
    expect(shown.out).toMatch(/^waiting\s+no active agent has skill tw-gpu \(since .+\)$/m);

    const status = await cli.kos(['status']);
    expect(status.out).toMatch(/^waiting\s+2 \(missing skills 1, dependencies 1\)$/m);
  });
});
