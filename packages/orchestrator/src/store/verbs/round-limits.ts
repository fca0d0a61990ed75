import type { RoundGoal } from '../../scheduler/round.ts';
import type { Task } from '../../scheduler/task.ts';
import type { ReadTx } from '../backend.ts';

/** What a round must know of the goals and concurrency keys of its ready window (see planRound). */
export interface RoundLimits {
  goals: Map<string, RoundGoal>;
  keyLeases: Map<string, number>;
}

/**
 * Reads the leases, limits and weights of the window's goals and concurrency keys. Only the
 * window's goals and keys are counted, over the leased tasks (bounded by the fleet's capacity),
 * and a window of one unlimited goal without keys skips the counting (no limit, nobody to be fair
 * to), so the common round pays one primary-key read.
 */
export async function roundLimits(tx: ReadTx, ready: readonly Task[]): Promise<RoundLimits> {
  const goalIds = [...new Set(ready.map((t) => t.goalId))];
  const keys = [...new Set(ready.flatMap((t) => (t.policy.concurrency ? [t.policy.concurrency.key] : [])))];
  const policies = await tx.getGoalPolicies(goalIds);
  const limited = [...policies.values()].some((p) => p.maxParallel !== null);
  const [leased, keyLeases] = await Promise.all([
    goalIds.length > 1 || limited ? tx.countLeasesByGoal(goalIds) : new Map<string, number>(),
    tx.countLeasesByKey(keys),
  ]);
  const goals = new Map<string, RoundGoal>();
  for (const id of goalIds) {
    const p = policies.get(id);
    goals.set(id, {
      leased: leased.get(id) ?? 0,
      maxParallel: p?.maxParallel ?? null,
      weight: p?.weight ?? 1,
    });
  }
  return { goals, keyLeases };
}
