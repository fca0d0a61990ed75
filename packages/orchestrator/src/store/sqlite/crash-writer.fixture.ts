/**
 * Child process of the kill -9 test: commits goals forever, a few transactions in flight at a time
 * (so several share a group commit), and prints each goal id once its transaction resolved.
 * Usage: node --import tsx crash-writer.fixture.ts <db file> <FULL|NORMAL>
 */
import { DEFAULT_GOAL_POLICY } from '../../scheduler/policy.ts';
import { openSqliteBackend } from './sqlite-backend.ts';

const [file, synchronous] = process.argv.slice(2);
if (file === undefined || (synchronous !== 'FULL' && synchronous !== 'NORMAL')) {
  throw new Error('usage: crash-writer.fixture.ts <db file> <FULL|NORMAL>');
}
const backend = await openSqliteBackend({ file, synchronous });
const IN_FLIGHT = 8;
for (let round = 0; ; round++) {
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, i) => {
      const id = `goal-${round}-${i}`;
      const now = Date.now();
      await backend.transaction((tx) =>
        tx.insertGoal({
          id,
          goal: 'crash test',
          context: '',
          template: 'explicit',
          priority: 'medium',
          state: 'running',
          taskCount: 0,
          succeededCount: 0,
          deadCount: 0,
          skippedCount: 0,
          planning: null,
          policy: DEFAULT_GOAL_POLICY,
          submittedBy: null,
          createdAt: now,
          updatedAt: now,
          finishedAt: null,
        }),
      );
      // Writes to a pipe are synchronous on Linux: once printed, the parent has the line.
      process.stdout.write(`${id}\n`);
    }),
  );
}
