import type { AgentLink, Rollback } from '../../cluster/agent-link.ts';
import type { Task } from '../../scheduler/task.ts';
import type { EventRecord } from '../../store/records.ts';
import { AGENT_KEY_RESET, AGENT_KEY_ROTATED } from '../../store/verbs/agent-keys.ts';
import type { LinkedSession, SessionDirectory } from './peer.ts';

/** The live KLP sessions by agent id: the engine's link to them (leases pushed, rollbacks sent). */
export class SessionRegistry implements AgentLink, SessionDirectory {
  private readonly byAgent = new Map<string, LinkedSession>();

  constructor(private readonly onCount: (n: number) => void = () => {}) {}

  /** A reconnecting agent replaces its previous session, which is closed. */
  attach(agentId: string, session: LinkedSession): void {
    const previous = this.byAgent.get(agentId);
    this.byAgent.set(agentId, session);
    if (previous && previous !== session) previous.close(4000, 'replaced by a newer session of this agent');
    this.onCount(this.byAgent.size);
  }

  detach(agentId: string, session: LinkedSession): void {
    if (this.byAgent.get(agentId) === session) this.byAgent.delete(agentId);
    this.onCount(this.byAgent.size);
  }

  get size(): number {
    return this.byAgent.size;
  }

  /** Sends each newly leased task to its agent, if connected (REST agents poll instead). */
  pushLeases(tasks: readonly Task[]): void {
    for (const task of tasks) {
      if (task.agentId) this.byAgent.get(task.agentId)?.sendTaskRequest(task);
    }
  }

  /** Tells holders to stop (see AgentLink.rollback). */
  rollback(tasks: readonly Rollback[]): void {
    for (const task of tasks) {
      if (!task.agentId) continue;
      const reason = task.ackBy === null ? 'lease ended' : 'task cancelled';
      this.byAgent.get(task.agentId)?.sendRollback(task, reason, task.ackBy);
    }
  }

  /**
   * Ends the session of an agent whose key was rotated or reset on any replica (its audit event),
   * if it still runs on the old key: a session the agent opened since with its new key stays.
   */
  observe(event: EventRecord): void {
    const action = event.data.action;
    if (event.kind !== 'audit' || (action !== AGENT_KEY_ROTATED && action !== AGENT_KEY_RESET)) return;
    const session = event.agentId === null ? undefined : this.byAgent.get(event.agentId);
    if (session !== undefined && session.provenKey === event.data.old_key) {
      session.close(4003, "the agent's key changed: reconnect with its new key");
    }
  }

  closeAll(code: number, reason: string): void {
    for (const s of [...this.byAgent.values()]) s.close(code, reason);
  }
}
