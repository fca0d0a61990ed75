import type { Static } from 'typebox';
import type { Config } from '../config/types.ts';
import { DEFAULT_GOAL_POLICY, type GoalPolicy } from '../scheduler/policy.ts';
import type { GoalPolicySpec } from './schemas.ts';

/**
 * The policy a submitted goal keeps for its whole life: the request's fields over the defaults,
 * with policies.max_parallel_per_goal (0: none) as the default limit. Resolved once, at submission,
 * so a later configuration change never alters a goal already accepted.
 */
export function goalPolicyOf(spec: Static<typeof GoalPolicySpec> | undefined, config: Config): GoalPolicy {
  const configured = config.policies.maxParallelPerGoal;
  return {
    onTaskDeath: spec?.on_task_death ?? DEFAULT_GOAL_POLICY.onTaskDeath,
    maxParallel:
      spec?.max_parallel_tasks === undefined
        ? configured === 0
          ? null
          : configured
        : spec.max_parallel_tasks,
    weight: spec?.weight ?? DEFAULT_GOAL_POLICY.weight,
  };
}
