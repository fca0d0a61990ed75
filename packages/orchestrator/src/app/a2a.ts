import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { KosError } from '@kos/protocol';
import type { Goal } from '../scheduler/goal.ts';
import type { Task } from '../scheduler/task.ts';
import { checkedAddresses, type Lookup } from '../security/push-target.ts';
import type { A2aPushConfig } from '../store/records.ts';
import { pushConfigNotFound } from '../store/verbs/a2a.ts';
import { actorId, type Actor, type Core } from './core.ts';
import { ALL } from './paging.ts';

/**
 * The A2A use cases that are not the REST ones under another name (goals are submitted with
 * submitGoal, cancelled with cancelGoal, approvals with approveTask/denyTask): reading a goal as
 * an A2A task (with its contextId), and push-notification configs, allowlisted here once.
 */

export interface A2aGoal {
  goal: Goal;
  tasks: Task[];
  contextId: string;
}

/** A goal submitted through A2A with its tasks; any other id is KOS_ERR_GOAL_NOT_FOUND. */
export async function getA2aGoal(core: Core, goalId: string): Promise<A2aGoal> {
  const found = await core.store.read(async (tx) => {
    const a2a = await tx.getA2aTask(goalId);
    if (a2a === null) return null;
    const goal = await tx.getGoal(goalId);
    return goal && { goal, tasks: await tx.listTasks({ goalId }, { limit: ALL }), contextId: a2a.contextId };
  });
  if (found === null)
    throw new KosError('KOS_ERR_GOAL_NOT_FOUND', `no A2A task has id ${goalId}`, { goal_id: goalId });
  return found;
}

export interface PushConfigRequest {
  goalId: string;
  /** Chosen by the client, or a fresh one. */
  id?: string | undefined;
  url: string;
  token?: string | undefined;
  authentication?: { scheme: string; credentials: string } | undefined;
}

export const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Keeps a push config once its URL passed a2a.push_allowlist and its host resolves only to
 * addresses the list allows (security/push-target.ts); a refused one changes nothing. The sender
 * checks again before each delivery, since a name may resolve elsewhere later.
 */
export async function setA2aPushConfig(
  core: Core,
  actor: Actor,
  req: PushConfigRequest,
  lookup: Lookup = systemLookup,
): Promise<A2aPushConfig> {
  await checkedAddresses(req.url, core.config.a2a.pushAllowlist, lookup);
  return core.store.setA2aPushConfig(actorId(actor), {
    goalId: req.goalId,
    id: req.id === undefined || req.id === '' ? randomUUID() : req.id,
    url: req.url,
    token: req.token === undefined || req.token === '' ? null : req.token,
    authScheme: req.authentication?.scheme ?? null,
    authCredentials: req.authentication?.credentials ?? null,
  });
}

export async function listA2aPushConfigs(core: Core, goalId: string): Promise<A2aPushConfig[]> {
  await getA2aGoal(core, goalId);
  return core.store.read((tx) => tx.listA2aPushConfigs(goalId));
}

export async function getA2aPushConfig(core: Core, goalId: string, id: string): Promise<A2aPushConfig> {
  const found = (await listA2aPushConfigs(core, goalId)).find((c) => c.id === id);
  if (found === undefined) throw pushConfigNotFound(goalId, id);
  return found;
}

export async function deleteA2aPushConfig(
  core: Core,
  actor: Actor,
  goalId: string,
  id: string,
): Promise<void> {
  await core.store.deleteA2aPushConfig(actorId(actor), goalId, id);
}
