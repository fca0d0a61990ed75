import type { Agent } from '../../registry/agent.ts';
import {
  afterLeases,
  afterOutcome,
  quarantineDue,
  quarantined,
  type AttemptOutcome,
  type QuarantineTrigger,
} from '../../registry/health.ts';
import type { Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import type { EventBatch } from './context.ts';
import { type VerbContext } from './context.ts';

export type { AttemptOutcome };

/**
 * Records an attempt's outcome on its agent: per-skill stats, trust, failure counts and circuit
 * breakers (registry/health.ts). Every lease that ends passes here, `returned` included, so a
 * half-open breaker never keeps a probe slot for a lease that is gone.
 *
 * When the failure counts reach lifecycle.quarantine_threshold or lifecycle.max_crashes, the agent
 * is quarantined in this same transaction: the verb that recorded the failure decides it, so no
 * round after it can lease to the agent. Its remaining leases are revoked at the end of the verb
 * (Store) or by the next sweep (revokeQuarantinedLeases).
 */
export async function recordOutcome(
  tx: Tx,
  task: Task,
  outcome: AttemptOutcome,
  ctx: VerbContext,
  events: EventBatch,
): Promise<void> {
  if (!task.agentId) return;
  const agent = await tx.getAgent(task.agentId);
  // A quarantined agent's record stays as it was when isolated, until an operator releases it.
  if (!agent || agent.state === 'quarantined') return;
  let updated = afterOutcome(agent, task, outcome, ctx.now, ctx.config);
  const due = quarantineDue(updated.health, ctx.config);
  if (due) updated = markQuarantined(updated, due.trigger, due.reason, 'system', ctx, events);
  await tx.putAgent(updated);
}

/** The agent after the leases of `tasks` were granted to it: half-open breakers count their probes. */
export function noteLeases(agent: Agent, tasks: readonly Task[], ctx: VerbContext): Agent {
  return afterLeases(agent, tasks, ctx.now, ctx.config);
}

/** Quarantines the agent record (not its leases) and logs who did it and why. */
export function markQuarantined(
  agent: Agent,
  trigger: QuarantineTrigger,
  reason: string,
  by: string,
  ctx: VerbContext,
  events: EventBatch,
): Agent {
  events.add({
    kind: 'agent.state',
    agentId: agent.id,
    data: { from: agent.state, to: 'quarantined', reason, trigger, by },
  });
  return quarantined(agent, reason, by, ctx.now);
}
