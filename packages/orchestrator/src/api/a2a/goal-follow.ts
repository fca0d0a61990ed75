import { getGoal } from '../../app/index.ts';
import type { Goal } from '../../scheduler/goal.ts';
import type { Task } from '../../scheduler/task.ts';
import type { ApiDeps } from '../deps.ts';

export interface GoalSnapshot {
  goal: Goal;
  tasks: Task[];
}

/**
 * The goal as read now, then again after each committed event that concerns it (the event feed:
 * this replica's commits and the others'), until the consumer stops or `signal` aborts. The feed
 * is joined before the first read, so no change between the two is missed; events that arrive
 * while a read runs fold into one more read. Snapshots are not deduplicated: the caller decides
 * what changed.
 */
export async function* followGoal(
  deps: Pick<ApiDeps, 'events'> & Parameters<typeof getGoal>[0],
  goalId: string,
  signal: AbortSignal,
): AsyncGenerator<GoalSnapshot, void, undefined> {
  let wake: (() => void) | null = null;
  let changed = true;
  const stop = await deps.events.subscribe((e) => {
    if (e.goalId !== goalId) return;
    changed = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      changed = false;
      yield await getGoal(deps, goalId);
      if (!changed && !signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop();
  }
}
