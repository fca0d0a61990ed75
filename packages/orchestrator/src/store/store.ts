import type { Config } from '../config/types.ts';
import type { Task, TaskError } from '../scheduler/task.ts';
import type { Backend, ReadTx } from './backend.ts';
import { assignRound } from './verbs/assign.ts';
import {
  heartbeat,
  recoverAfterRestart,
  registerAgent,
  sweepSilentAgents,
  unregisterAgent,
} from './verbs/agents.ts';
import type { VerbContext } from './verbs/context.ts';
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
export class Store {
  constructor(
    readonly backend: Backend,
    private readonly config: Config,
    private readonly clock: Clock = monotonicClock,
    private readonly random: () => number = Math.random,
  ) {}

  private run<T>(
    actor: string,
    fn: (tx: Parameters<Parameters<Backend['transaction']>[0]>[0], ctx: VerbContext) => Promise<T>,
  ) {
    // The clock is read when the transaction runs, not when it was queued.
    return this.backend.transaction((tx) =>
      fn(tx, { now: this.clock.now(), actor, config: this.config, random: this.random }),
    );
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.backend.read(fn);
  }

  now(): number {
    return this.clock.now();
  }

  registerAgent(
    actor: string,
    input: {
      name: string;
      skills: string[];
      maxParallel?: number | undefined;
      bindTokenHash?: string | undefined;
    },
  ) {
    return this.run(actor, (tx, ctx) => registerAgent(tx, ctx, input));
  }
  heartbeat(actor: string, agentId: string) {
    return this.run(actor, (tx, ctx) => heartbeat(tx, ctx, agentId));
  }
  unregisterAgent(actor: string, agentId: string) {
    return this.run(actor, (tx, ctx) => unregisterAgent(tx, ctx, agentId));
  }
  submitGoal(actor: string, sub: GoalSubmission) {
    return this.run(actor, (tx, ctx) => submitGoal(tx, ctx, sub));
  }
  cancelGoal(actor: string, goalId: string, reason: string) {
    return this.run(actor, (tx, ctx) => cancelGoal(tx, ctx, goalId, reason));
  }
  assignRound(actor: string) {
    return this.run(actor, (tx, ctx) => assignRound(tx, ctx));
  }
  completeTask(
    actor: string,
    report: { taskId: string; agentId: string; epoch?: number | undefined; result: unknown },
  ) {
    return this.run(actor, (tx, ctx) => completeTask(tx, ctx, report));
  }
  failTask(
    actor: string,
    report: { taskId: string; agentId: string; epoch?: number | undefined; error: TaskError },
  ) {
    return this.run(actor, (tx, ctx) => failTask(tx, ctx, report));
  }
  /** One sweep of the periodic duties; returns what changed so the caller can start a round. */
  sweep(): Promise<{ lostAgents: number; revoked: Task[]; promoted: number }> {
    return this.run('system', async (tx, ctx) => {
      const silent = await sweepSilentAgents(tx, ctx);
      const expired = await sweepExpiredLeases(tx, ctx);
      const promoted = await promoteDueRetries(tx, ctx);
      return { lostAgents: silent.lost.length, revoked: [...silent.revoked, ...expired.revoked], promoted };
    });
  }
  recoverAfterRestart() {
    return this.run('system', (tx, ctx) => recoverAfterRestart(tx, ctx));
  }
}
