import { getGoal } from '../../app/index.ts';
import type { Goal } from '../../scheduler/goal.ts';
import type { Task } from '../../scheduler/task.ts';
import type { ApiDeps } from '../deps.ts';

/** The longest a `submit_goal` may wait for its goal (`wait_ms`): five minutes. */
export const MAX_WAIT_MS = 300_000;

export interface GoalWait {
  goal: Goal;
  tasks: Task[];
  /** Whether the goal reached a final state (succeeded, failed, cancelled) within the wait. */
  finished: boolean;
}

/** Every state but `running` ends a wait (a failed goal reopens only by an operator's retry). */
const finished = (g: Goal) => g.state !== 'running' && g.state !== 'planning';
const settled = (g: Goal) => g.succeededCount + g.deadCount + g.skippedCount;

/**
 * Waits up to `waitMs` for a goal to finish, reading it again whenever a committed event concerns
 * it (the live event feed, any replica's), and calls `progress` each time more of its tasks have
 * settled while it runs (strictly increasing, as MCP progress must). Ends early when `signal` aborts. The feed is
 * joined before the first read, so no change between the two is missed.
 */
export async function waitForGoal(
  deps: Pick<ApiDeps, 'events'> & Parameters<typeof getGoal>[0],
  goalId: string,
  waitMs: number,
  progress: (done: number, total: number, message: string) => Promise<void>,
  signal: AbortSignal,
): Promise<GoalWait> {
  let wake: (() => void) | null = null;
  let changed = true;
  const stop = await deps.events.subscribe((e) => {
    if (e.goalId !== goalId) return;
    changed = true;
    wake?.();
  });
  const deadline = Date.now() + waitMs;
  let reported = 0;
  try {
    for (;;) {
      changed = false;
      const { goal, tasks } = await getGoal(deps, goalId);
      const done = settled(goal);
      // Not once it finished: the answer says so, and a stdio client's SDK drops a notification
      // that reaches it in the same read as the response (its notifications run a microtask later).
      if (done > reported && !finished(goal)) {
        reported = done;
        await progress(
          done,
          goal.taskCount,
          `${done} of ${goal.taskCount} tasks settled (goal ${goal.state})`,
        );
      }
      const left = deadline - Date.now();
      if (finished(goal) || left <= 0 || signal.aborted) return { goal, tasks, finished: finished(goal) };
      if (!changed) await nextChange(left, signal, (w) => (wake = w));
      wake = null;
    }
  } finally {
    stop();
  }
}

/** Resolves on the next wake-up, after `ms`, or on abort, whichever comes first. */
function nextChange(ms: number, signal: AbortSignal, setWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    setWake(done);
  });
}
