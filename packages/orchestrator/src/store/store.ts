import type { Config } from '../config/types.ts';
import type { AgentCaller } from '../registry/identity.ts';
import type { Task, TaskError } from '../scheduler/task.ts';
import type { Backend, ReadTx, Tx } from './backend.ts';
import type { NewEvent } from './records.ts';
import { assignRound, type Lease } from './verbs/assign.ts';
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
import { cancelTask } from './verbs/cancel.ts';
import { handOff, resolveAgent, type HandOff } from './verbs/delegation.ts';
import { completeTask, failTask, promoteDueRetries, sweepExpiredLeases } from './verbs/leases.ts';
import { approveTask, denyTask, retryTask } from './verbs/operator.ts';
import {
  quarantineAgent,
  releaseAgent,
  revokeQuarantinedLeases,
  type QuarantineRequest,
} from './verbs/quarantine.ts';
import { sweepTimeouts } from './verbs/timeouts.ts';

/** A round run at the end of a commit batch: its leases, and its duration for the round metric. */
export interface PlacedRound {
  leases: Lease[];
  seconds: number;
}

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
export class Store {
  constructor(
    readonly backend: Backend,
    private readonly config: Config,
    private readonly clock: Clock = monotonicClock,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Runs a verb as one transaction. Every event a verb writes carries the actor, so the event log
   * already says who did what; no separate audit entry is written per action.
   */
  private run<T>(
    actor: string,
    fn: (tx: Tx, ctx: VerbContext) => Promise<T>,
    placeable?: (value: T) => boolean,
  ): Promise<T> {
    // The clock is read when the transaction runs, not when it was queued.
    return this.backend.transaction((tx) => fn(tx, this.context(actor)), { wantsHook: placeable });
  }

  private context(actor: string): VerbContext {
    return { now: this.clock.now(), actor, config: this.config, random: this.random };
  }

  /**
   * Ends every commit batch in which a verb may have made work placeable (readied tasks, freed an
   * agent's slots) with `hook`: when `hook.round()` says so, an assignment round runs in the same
   * transaction, so what a result readied is leased in its commit; `committed` is told its leases
   * and how long it took (null when no round ran). Null removes the hook.
   */
  afterPlaceable(
    hook: {
      round(): boolean;
      committed(round: PlacedRound | null): void;
      failed(error: unknown): void;
    } | null,
  ): void {
    const run = async (tx: Tx): Promise<PlacedRound | null> => {
      if (!hook?.round()) return null;
      const started = performance.now();
      const leases = await assignRound(tx, this.context('system'));
      return { leases, seconds: (performance.now() - started) / 1000 };
    };
    this.backend.setBatchHook(
      hook && {
        run,
        committed: (value) => hook.committed(value as PlacedRound | null),
        failed: (error) => hook.failed(error),
      },
    );
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
    return this.run(actor, (tx, ctx) => registerAgent(tx, ctx, input));
  }
  heartbeat(actor: string, caller: AgentCaller, inFlight?: readonly InFlight[]) {
    return this.run(
      actor,
      (tx, ctx) => heartbeat(tx, ctx, caller, inFlight),
      (r) => r.revived,
    );
  }
  drainAgent(actor: string, caller: AgentCaller, mode: 'finish' | 'return') {
    return this.run(actor, (tx, ctx) => drainAgent(tx, ctx, caller, mode), placeable);
  }
  reportProgress(actor: string, report: Report & { progress: number; checkpoint?: unknown }) {
    return this.run(actor, (tx, ctx) => reportProgress(tx, ctx, report));
  }
  returnTask(actor: string, report: Report) {
    return this.run(actor, (tx, ctx) => returnTask(tx, ctx, report), placeable);
  }
  unregisterAgent(actor: string, caller: AgentCaller) {
    return this.run(actor, (tx, ctx) => unregisterAgent(tx, ctx, caller), placeable);
  }
  submitGoal(actor: string, sub: GoalSubmission) {
    return this.run(actor, (tx, ctx) => submitGoal(tx, ctx, sub), placeable);
  }
  cancelGoal(actor: string, goalId: string, reason: string) {
    return this.run(actor, (tx, ctx) => cancelGoal(tx, ctx, goalId, reason), placeable);
  }
  assignRound(actor: string) {
    return this.run(actor, (tx, ctx) => assignRound(tx, ctx));
  }
  completeTask(actor: string, report: Report & { result: unknown }) {
    return this.run(actor, (tx, ctx) => completeTask(tx, ctx, report), placeable);
  }
  failTask(actor: string, report: Report & { error: TaskError }) {
    return this.run(
      actor,
      async (tx, ctx) => {
        const failed = await failTask(tx, ctx, report);
        // The failure may have quarantined its agent: its other leases end in this transaction too.
        const quarantined = await revokeQuarantinedLeases(tx, ctx, [report.agentId]);
        return { ...failed, revoked: [...failed.revoked, ...quarantined] };
      },
      placeable,
    );
  }
  /** Isolates an agent (operator, or the KLP gateway on a forged frame) and revokes its leases. */
  quarantineAgent(actor: string, agentId: string, request: QuarantineRequest) {
    return this.run(actor, (tx, ctx) => quarantineAgent(tx, ctx, agentId, request), placeable);
  }
  /** Operator: a quarantined agent may register again, its failure counts and breakers reset. */
  releaseAgent(actor: string, agentId: string, reason: string) {
    return this.run(actor, (tx, ctx) => releaseAgent(tx, ctx, agentId, reason), placeable);
  }
  /** Cancels one task; a leased one is told to stop (cancelling) and its dependents are skipped. */
  cancelTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => cancelTask(tx, ctx, taskId, reason), placeable);
  }
  /** The holder declines or delegates its task; `to` names an agent (name or id). */
  async handOff(actor: string, report: Omit<HandOff, 'to'> & { to?: string | undefined }) {
    const { to: named, ...rest } = report;
    const to = named === undefined ? null : await this.read((tx) => resolveAgent(tx, named));
    return this.run(actor, (tx, ctx) => handOff(tx, ctx, { ...rest, to }), placeable);
  }
  /** Operator: a dead task is ready again with more attempts; its goal and skipped tasks reopen. */
  retryTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => retryTask(tx, ctx, taskId, reason), placeable);
  }
  /** Operator: a task awaiting approval is ready. */
  approveTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => approveTask(tx, ctx, taskId, reason), placeable);
  }
  /** Operator: a task awaiting approval dies; returns the leases its goal's policy ended. */
  denyTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => denyTask(tx, ctx, taskId, reason), placeable);
  }
  /**
   * One sweep of the periodic duties; returns what changed so the caller can start a round.
   * `timedOut`: leases ended by a start-to-close timeout (and any its goal's policy ended);
   * `quarantined`: the other leases of agents those lost leases quarantined (lifecycle.max_crashes…).
   */
  sweep(): Promise<{
    lostAgents: number;
    lost: Task[];
    expired: Task[];
    timedOut: Task[];
    quarantined: Task[];
    promoted: number;
  }> {
    return this.run(
      'system',
      async (tx, ctx) => {
        const silent = await sweepSilentAgents(tx, ctx);
        const expired = await sweepExpiredLeases(tx, ctx);
        const timedOut = await sweepTimeouts(tx, ctx);
        const holders = [...silent.revoked, ...expired.revoked, ...timedOut.revoked].flatMap((t) =>
          t.agentId === null ? [] : [t.agentId],
        );
        const quarantined = await revokeQuarantinedLeases(tx, ctx, holders);
        const promoted = await promoteDueRetries(tx, ctx);
        return {
          lostAgents: silent.lost.length,
          lost: silent.revoked,
          expired: expired.revoked,
          timedOut: timedOut.revoked,
          quarantined,
          promoted,
        };
      },
      (s) => s.lostAgents > 0 || s.promoted > 0 || s.lost.length + s.expired.length + s.timedOut.length > 0,
    );
  }
  recoverAfterRestart() {
    return this.run('system', (tx, ctx) => recoverAfterRestart(tx, ctx), placeable);
  }
}

/** For verbs that may always make work placeable: they ready tasks or free slots. */
const placeable = (): boolean => true;

function auditEvent(
  ctx: { now: number; actor: string },
  action: string,
  extra: Partial<Pick<NewEvent, 'data'>>,
): NewEvent {
  return {
    at: ctx.now,
    kind: 'audit',
    actor: ctx.actor,
    goalId: null,
    taskId: null,
    agentId: null,
    data: { action, ...extra.data },
  };
}
