import type { TaskPolicy } from './policy.ts';
import type { TaskState } from './task.ts';

/**
 * The timeout deadline a task carries in state `to` (see Task.deadlineAt): entering `ready` starts
 * the schedule-to-start clock, entering `leased` the start-to-close clock, which `running` keeps
 * (progress never extends it). Every other state has none, so a stale deadline can never fire.
 */
export function deadlineIn(
  to: TaskState,
  policy: TaskPolicy,
  now: number,
  current: number | null,
): number | null {
  const { scheduleToStartMs: toStart, startToCloseMs: toClose } = policy.timeouts;
  switch (to) {
    case 'ready':
      return toStart === null ? null : now + toStart;
    case 'leased':
      return toClose === null ? null : now + toClose;
    case 'running':
      return current;
    default:
      return null;
  }
}
