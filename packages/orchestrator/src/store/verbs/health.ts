import type { Agent } from '../../registry/agent.ts';
import type { Task } from '../../scheduler/task.ts';
import { nextTrust } from '../../scheduler/trust.ts';
import type { Tx } from '../backend.ts';
import type { VerbContext } from './context.ts';

/**
 * The agent side of an attempt's outcome: per-skill stats, trust, and the failure accounting
 * behind circuit breakers and quarantine.
 */
/** Records an attempt's outcome on the agent: per-skill stats and trust. */
export async function recordOutcome(
  tx: Tx,
  task: Task,
  outcome: 'succeeded' | 'failed' | 'lost',
  ctx: VerbContext,
) {
  if (!task.agentId) return;
  const agent = await tx.getAgent(task.agentId);
  if (!agent) return;
  const stats = { ...agent.stats };
  const ranMs = task.leasedAt === null ? 0 : Math.max(0, ctx.now - task.leasedAt);
  for (const skill of task.skills) {
    const s = stats[skill] ?? { succeeded: 0, failed: 0, totalMs: 0 };
    stats[skill] =
      outcome === 'succeeded'
        ? { ...s, succeeded: s.succeeded + 1, totalMs: s.totalMs + ranMs }
        : { ...s, failed: s.failed + 1 };
  }
  const updated: Agent = { ...agent, stats, trust: nextTrust(agent.trust, outcome), updatedAt: ctx.now };
  await tx.putAgent(updated);
}
