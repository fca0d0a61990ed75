import type { Task } from '../scheduler/task.ts';

/** A task its holder must stop; `ackBy` (epoch ms) when it was cancelled and awaits acknowledgement. */
export type Rollback = Pick<Task, 'id' | 'agentId' | 'epoch'> & { ackBy: number | null };

/**
 * How the engine reaches the agents connected to this replica, whatever carries them: the KLP
 * gateway's sessions (api/klp/registry.ts) today; an A2A bridge or a federation peer would be
 * links too. The engine depends on this interface only, never on a gateway. Delivery is best
 * effort: an agent not reachable here is skipped (another replica's link, or the agent's next
 * poll or reconnect, catches up from the store).
 */
export interface AgentLink {
  /** Agents reachable through this link now (0: nothing to deliver here). */
  readonly size: number;
  /** Sends each newly leased task to its agent, if reachable here. */
  pushLeases(tasks: readonly Task[]): void;
  /**
   * Tells holders to stop: former holders of ended leases (their late results would be refused),
   * and holders of cancelled tasks, who must acknowledge by `ackBy`.
   */
  rollback(items: readonly Rollback[]): void;
}
