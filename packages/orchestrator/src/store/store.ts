import type { Config } from '../config/types.ts';
import type { Task, TaskError } from '../scheduler/task.ts';
import type { Backend, ReadTx, Tx } from './backend.ts';
import type { NewEvent } from './records.ts';
import { assignRound } from './verbs/assign.ts';
import {
  drainAgent,
  heartbeat,
  recoverAfterRestart,
  sweepSilentAgents,
  unregisterAgent,
} from './verbs/agents.ts';
import type { VerbContext } from './verbs/context.ts';
import type { InFlight } from './verbs/agents.ts';
import { reportProgress, returnTask } from './verbs/progress.ts';
import { registerAgent, type Registration } from './verbs/registration.ts';
import type { Report } from './verbs/leases.ts';
import { cancelGoal, submitGoal, type GoalSubmission } from './verbs/goals.ts';
import { completeTask, failTask, promoteDueRetries, sweepExpiredLeases } from './verbs/leases.ts';

export interface Clock {
  /** Milliseconds since the epoch, never going backwards within a process. */
  now(): number;
}

/** Wall-clock time that never steps back: leases are judged on it. */
export const monotonicClock: Clock = (() => {
  const origin = Date.now() - performance.now();
  return { now: () => Math.floor(origin + performance.now()) };
})();

/**
 * The domain verbs, each one atomic transaction on the backend. The verbs are written once
 * (store/verbs) over the backend's row operations, so every backend behaves the same.
 */
/** Liveness and progress are not actions: auditing each one would drown the log. */
const UNAUDITED = new Set(['agent.heartbeat', 'task.progress']);

export class Store {
  constructor(
    readonly backend: Backend,
    private readonly config: Config,
    private readonly clock: Clock = monotonicClock,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Runs a verb as one transaction. With security.audit_all_actions, an accepted action by a
   * caller (not the orchestrator itself) is recorded in the same transaction, so the audit entry
   * exists exactly when the action took effect.
   */
  private run<T>(
    actor: string,
    action: string,
    fn: (tx: Tx, ctx: VerbContext) => Promise<T>,
    subject: (result: T) => Subject = () => ({}),
  ): Promise<T> {
    // The clock is read when the transaction runs, not when it was queued.
    return this.backend.transaction(async (tx) => {
      const ctx = { now: this.clock.now(), actor, config: this.config, random: this.random };
      const result = await fn(tx, ctx);
      if (this.config.security.auditAllActions && actor !== 'system' && !UNAUDITED.has(action)) {
        await tx.appendEvents([auditEvent(ctx, action, subject(result))]);
      }
      return result;
    });
  }

  /** Appends events that belong to no verb (KLP sessions, signed receipts, security alerts). */
  record(events: readonly NewEvent[]): Promise<void> {
    return this.backend.transaction((tx) => tx.appendEvents(events));
  }

  /** Records an accepted action that is not a store verb (e.g. issuing a token). */
  audit(actor: string, action: string, data: Record<string, unknown>): Promise<void> {
    if (!this.config.security.auditAllActions) return Promise.resolve();
    return this.backend.transaction((tx) =>
      tx.appendEvents([auditEvent({ now: this.clock.now(), actor }, action, { data })]),
    );
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.backend.read(fn);
  }

  now(): number {
    return this.clock.now();
  }

  registerAgent(actor: string, input: Registration) {
    return this.run(
      actor,
      'agent.register',
      (tx, ctx) => registerAgent(tx, ctx, input),
      (r) => ({
        agentId: r.agent.id,
      }),
    );
  }
  heartbeat(actor: string, agentId: string, inFlight?: readonly InFlight[]) {
    return this.run(actor, 'agent.heartbeat', (tx, ctx) => heartbeat(tx, ctx, agentId, inFlight));
  }
  drainAgent(actor: string, agentId: string, mode: 'finish' | 'return') {
    return this.run(
      actor,
      'agent.drain',
      (tx, ctx) => drainAgent(tx, ctx, agentId, mode),
      () => ({ agentId }),
    );
  }
  reportProgress(actor: string, report: Report & { progress: number; checkpoint?: unknown }) {
    return this.run(actor, 'task.progress', (tx, ctx) => reportProgress(tx, ctx, report));
  }
  returnTask(actor: string, report: Report) {
    return this.run(
      actor,
      'task.return',
      (tx, ctx) => returnTask(tx, ctx, report),
      () => ({ taskId: report.taskId, agentId: report.agentId }),
    );
  }
  unregisterAgent(actor: string, agentId: string) {
    return this.run(
      actor,
      'agent.unregister',
      (tx, ctx) => unregisterAgent(tx, ctx, agentId),
      () => ({ agentId }),
    );
  }
  submitGoal(actor: string, sub: GoalSubmission) {
    return this.run(
      actor,
      'goal.submit',
      (tx, ctx) => submitGoal(tx, ctx, sub),
      (r) => ({ goalId: r.goal.id }),
    );
  }
  cancelGoal(actor: string, goalId: string, reason: string) {
    return this.run(
      actor,
      'goal.cancel',
      (tx, ctx) => cancelGoal(tx, ctx, goalId, reason),
      () => ({ goalId }),
    );
  }
  assignRound(actor: string) {
    return this.run(actor, 'scheduler.assign', (tx, ctx) => assignRound(tx, ctx));
  }
  completeTask(actor: string, report: Report & { result: unknown }) {
    return this.run(
      actor,
      'task.complete',
      (tx, ctx) => completeTask(tx, ctx, report),
      (t) => ({
        goalId: t.goalId,
        taskId: t.id,
        agentId: report.agentId,
      }),
    );
  }
  failTask(actor: string, report: Report & { error: TaskError }) {
    return this.run(
      actor,
      'task.fail',
      (tx, ctx) => failTask(tx, ctx, report),
      (r) => ({
        goalId: r.task.goalId,
        taskId: r.task.id,
        agentId: report.agentId,
      }),
    );
  }
  /** One sweep of the periodic duties; returns what changed so the caller can start a round. */
  sweep(): Promise<{ lostAgents: number; lost: Task[]; expired: Task[]; promoted: number }> {
    return this.run('system', 'system.sweep', async (tx, ctx) => {
      const silent = await sweepSilentAgents(tx, ctx);
      const expired = await sweepExpiredLeases(tx, ctx);
      const promoted = await promoteDueRetries(tx, ctx);
      return { lostAgents: silent.lost.length, lost: silent.revoked, expired: expired.revoked, promoted };
    });
  }
  recoverAfterRestart() {
    return this.run('system', 'system.recover', (tx, ctx) => recoverAfterRestart(tx, ctx));
  }
}

/** What an action touched, for its audit entry. */
type Subject = Partial<Pick<NewEvent, 'goalId' | 'taskId' | 'agentId' | 'data'>>;

function auditEvent(ctx: { now: number; actor: string }, action: string, extra: Subject): NewEvent {
  return {
    at: ctx.now,
    kind: 'audit',
    actor: ctx.actor,
    goalId: extra.goalId ?? null,
    taskId: extra.taskId ?? null,
    agentId: extra.agentId ?? null,
    data: { action, ...extra.data },
  };
}
