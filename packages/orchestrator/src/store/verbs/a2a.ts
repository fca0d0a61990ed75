import { KosError } from '@kos/protocol';
import type { Tx } from '../backend.ts';
import type { A2aPushConfig } from '../records.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { getGoalOrThrow } from './task-flow.ts';

/** The A2A push configs a goal may hold: each is an outbound POST per update. */
export const MAX_PUSH_CONFIGS_PER_GOAL = 10;

/**
 * Keeps a push config of a goal submitted through A2A (the URL was allowlisted by the caller's
 * use case). Replaces one with the same id; refuses an eleventh. Recorded as an `audit` event.
 */
export async function setA2aPushConfig(
  tx: Tx,
  ctx: VerbContext,
  config: Omit<A2aPushConfig, 'createdAt'>,
): Promise<A2aPushConfig> {
  await requireA2aGoal(tx, config.goalId);
  const existing = await tx.listA2aPushConfigs(config.goalId);
  const replaced = existing.find((c) => c.id === config.id);
  if (replaced === undefined && existing.length >= MAX_PUSH_CONFIGS_PER_GOAL) {
    throw new KosError(
      'KOS_ERR_LIMIT_EXCEEDED',
      `goal ${config.goalId} already has ${MAX_PUSH_CONFIGS_PER_GOAL} push configs; delete one first`,
      { limit: 'push configs per task', max: MAX_PUSH_CONFIGS_PER_GOAL },
    );
  }
  const stored: A2aPushConfig = { ...config, createdAt: replaced?.createdAt ?? ctx.now };
  await tx.putA2aPushConfig(stored);
  await audit(tx, ctx, config.goalId, 'a2a.push_config.set', { config_id: config.id, url: config.url });
  return stored;
}

/** Deletes a push config; an unknown one is KOS_ERR_A2A_PUSH_CONFIG_NOT_FOUND and changes nothing. */
export async function deleteA2aPushConfig(
  tx: Tx,
  ctx: VerbContext,
  goalId: string,
  id: string,
): Promise<void> {
  await requireA2aGoal(tx, goalId);
  if (!(await tx.deleteA2aPushConfig(goalId, id))) throw pushConfigNotFound(goalId, id);
  await audit(tx, ctx, goalId, 'a2a.push_config.delete', { config_id: id });
}

export function pushConfigNotFound(goalId: string, id: string): KosError {
  return new KosError('KOS_ERR_A2A_PUSH_CONFIG_NOT_FOUND', `task ${goalId} has no push config ${id}`, {
    goal_id: goalId,
    config_id: id,
  });
}

/** Only goals submitted through A2A are A2A tasks; any other id is KOS_ERR_GOAL_NOT_FOUND. */
async function requireA2aGoal(tx: Tx, goalId: string): Promise<void> {
  await getGoalOrThrow(tx, goalId);
  if ((await tx.getA2aTask(goalId)) === null) {
    throw new KosError('KOS_ERR_GOAL_NOT_FOUND', `no A2A task has id ${goalId}`, { goal_id: goalId });
  }
}

async function audit(tx: Tx, ctx: VerbContext, goalId: string, action: string, data: object): Promise<void> {
  const events = new EventBatch(ctx);
  events.add({ kind: 'audit', goalId, data: { action, ...data } });
  await events.flush(tx);
}
