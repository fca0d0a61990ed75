import { KosError } from '@kos/protocol';
import type { Agent } from '../../registry/agent.ts';
import { beyondDepth, loopOf } from '../../scheduler/delegation.ts';
import type { Delegation, Task } from '../../scheduler/task.ts';
import type { ReadTx, Tx } from '../backend.ts';
import { assertNotCancelling } from './cancel.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { failAttempt, type Outcome } from './failure.ts';
import { recordOutcome } from './health.ts';
import type { Report } from './leases.ts';
import { assertLeaseHolder, lockedTask, toReady } from './task-flow.ts';

/** The holder hands its task off: it declines it, or delegates it (to a named agent, or not). */
export interface HandOff extends Report {
  action: Delegation['action'];
  reason: string;
  /** The agent a delegation names, already resolved (see resolveAgent); null when none is named. */
  to: Agent | null;
}

/**
 * The agent an agent names: by name, or by id. Callers resolve it before the hand-off's
 * transaction: locking a second agent row inside it could deadlock two agents delegating to each
 * other, and the answer cannot go stale (agents are never deleted and a name keeps its id).
 */
export async function resolveAgent(tx: ReadTx, nameOrId: string): Promise<Agent> {
  const agent = (await tx.getAgentByName(nameOrId)) ?? (await tx.getAgent(nameOrId));
  if (!agent) {
    throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent is named ${nameOrId} (nor has that id)`, {
      to: nameOrId,
    });
  }
  return agent;
}

/**
 * A hand-off is not a failure: the attempt is given back (attempts − 1, trust untouched) and the
 * task is ready again, never for an agent of its chain (assign.ts excludes them) and preferably
 * for the named agent. It is recorded in `task.delegations` and in the `task.state` event. A
 * delegation to the holder itself or to an agent already in the chain is refused as a loop
 * (KOS_ERR_DELEGATION_LOOP, nothing changes). The hop past `delegation.max_depth` fails the task
 * for good (`delegation.depth_exceeded`, not retryable): it dies, or awaits an operator when its
 * policy says approval.on_failure, and the goal's policy applies.
 */
export async function handOff(tx: Tx, ctx: VerbContext, h: HandOff): Promise<Outcome> {
  const events = new EventBatch(ctx);
  const task = await lockedTask(tx, h);
  assertLeaseHolder(task, h.agentId, h.epoch);
  assertNotCancelling(task);
  const loop = h.to && loopOf(task.delegations, h.agentId, h.to.id);
  if (loop) {
    throw new KosError('KOS_ERR_DELEGATION_LOOP', `task ${task.id}: ${loop}; nothing changed`, {
      subtask_uuid: task.id,
      to: h.to?.id,
      chain: task.delegations.map((hop) => hop.agentId),
    });
  }
  // Not held against the agent: its trust and failure counts stay; a breaker probe slot is freed.
  await recordOutcome(tx, task, 'returned', ctx, events);
  const hop: Delegation = {
    agentId: h.agentId,
    action: h.action,
    reason: h.reason,
    to: h.to?.id ?? null,
    at: ctx.now,
  };
  const delegations = [...task.delegations, hop];
  const handedOff: Task = { ...task, delegations, attempts: Math.max(0, task.attempts - 1) };
  const data = {
    reason: h.action,
    delegation: hop,
    depth: delegations.length,
    // A KLP hand-off is a TASK_RESULT: its receipt stays with the transition, as a result's does.
    ...(h.receipt === undefined ? {} : { receipt: h.receipt }),
  };
  let outcome: Outcome;
  if (beyondDepth(delegations, ctx.config.delegation.maxDepth)) {
    const error = {
      code: 'delegation.depth_exceeded',
      message: `handed off ${delegations.length} times, more than delegation.max_depth (${ctx.config.delegation.maxDepth})`,
      retryable: false,
    };
    outcome = await failAttempt(tx, handedOff, error, ctx, events, data);
  } else {
    const ready = toReady(handedOff, ctx, events, data);
    await tx.putTask(ready);
    outcome = { task: ready };
  }
  await events.flush(tx);
  return outcome;
}
