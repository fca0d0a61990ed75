import type { Task } from './task.ts';

/**
 * Fallback skills (policy.fallback): a task is matched on them instead of its own skills once
 * `afterAttempts` attempts failed, or while no active agent covers its own skills, so a standby
 * role picks up work the primary role cannot do.
 */

/** The skills a round matches a ready task on; `covered`: every skill of an active agent. */
export function roundSkills(
  task: Pick<Task, 'skills' | 'attempts' | 'policy'>,
  covered: ReadonlySet<string>,
): string[] {
  const fallback = task.policy.fallback;
  if (fallback === null) return task.skills;
  const primaryAvailable = task.skills.every((s) => covered.has(s));
  return task.attempts >= fallback.afterAttempts || !primaryAvailable ? fallback.skills : task.skills;
}

/**
 * The skills a lease asks its holder to use, judged once the lease is granted (attempts counts it):
 * the fallback skills when the attempt is a fallback one, or when the holder lacks a primary skill
 * (then the round matched it on the fallback skills). Agents run the first skill they handle.
 */
export function leaseSkills(
  task: Pick<Task, 'skills' | 'attempts' | 'policy'>,
  holderSkills: readonly string[],
): string[] {
  const fallback = task.policy.fallback;
  if (fallback === null) return task.skills;
  const failedBefore = task.attempts - 1;
  const holderHasPrimary = task.skills.every((s) => holderSkills.includes(s));
  return failedBefore >= fallback.afterAttempts || !holderHasPrimary ? fallback.skills : task.skills;
}
