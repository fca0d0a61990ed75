import type { Goal } from '../../scheduler/goal.ts';
import { OPEN_TASK_STATES, type Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import type { EventBatch, VerbContext } from './context.ts';
import { planningDied } from './planning.ts';
import { getGoalOrThrow, release, setGoalState, stopTask } from './task-flow.ts';

/**
 * What a task that settled (succeeded, died, or was skipped) does to its dependents and its goal.
 *
 * A task waits for its dependencies by `policy.runWhen`: `succeeded` (the default) runs when all
 * succeeded and is skipped as soon as one dies or is skipped; `failed` (an on_failure branch) runs
 * as soon as one dies and is skipped ("branch not taken") once all settled without a death. A dead
 * task ends the rest of its goal by the goal's policy: `fail_fast` skips every open task but the
 * dead task's on_failure branches (and what follows them); `continue` skips only what depended on
 * it. The goal counts what settled (succeeded, dead, skipped) and ends when the counts reach its
 * task count, without scanning its tasks: succeeded when none is dead, failed otherwise.
 */

/** Error codes of skipped tasks: why they did not run. An operator's retry of a dead task reopens them. */
export const SKIPPED = {
  dependency: 'skipped.dependency',
  branchNotTaken: 'skipped.branch_not_taken',
  goalFailed: 'skipped.goal_failed',
} as const;

/** A task cancelled by the orchestrator because of another task's outcome (not by a user), and stopped. */
export function isSkipped(task: Task): boolean {
  return task.state === 'cancelled' && task.error?.code.startsWith('skipped.') === true;
}

type Outcome = 'succeeded' | 'dead' | 'skipped';

/** The settling of one verb within one goal: counts, and the walk to dependents. */
class Settling {
  private readonly counts = { succeeded: 0, dead: 0, skipped: 0 };

  constructor(
    private readonly tx: Tx,
    private readonly ctx: VerbContext,
    private readonly events: EventBatch,
  ) {}

  count(outcome: Outcome): void {
    this.counts[outcome]++;
  }

  /** Tells the dependents of `from`, and theirs in turn, that it settled with `outcome`. */
  async propagate(from: Task, outcome: Outcome): Promise<void> {
    // A worklist, not recursion: a chain of skipped dependents may be as long as the goal.
    const queue: [Task, Outcome][] = [[from, outcome]];
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [parent, result] = next;
      for (const dep of await this.tx.listDependents(parent.id)) {
        if (dep.state !== 'pending') continue;
        const skipped = await this.onDependency(dep, parent, result);
        if (skipped) queue.push([skipped, 'skipped']);
      }
    }
  }

  /** One dependency of a pending task settled; returns the task if that skipped it. */
  private async onDependency(task: Task, parent: Task, result: Outcome): Promise<Task | null> {
    const left = Math.max(0, task.pendingDeps - 1);
    const data = { dependency: parent.id };
    if (task.policy.runWhen === 'failed') {
      if (result === 'dead') {
        await this.tx.putTask(release({ ...task, pendingDeps: left }, this.ctx, this.events, data));
        return null;
      }
      if (left > 0) {
        await this.tx.putTask({ ...task, pendingDeps: left });
        return null;
      }
      return this.skip(task, SKIPPED.branchNotTaken, 'branch not taken: no dependency died');
    }
    if (result !== 'succeeded') {
      const why = result === 'dead' ? 'died' : 'was skipped';
      return this.skip(task, SKIPPED.dependency, `dependency ${parent.name} (${parent.id}) ${why}`);
    }
    const waiting = { ...task, pendingDeps: left };
    await this.tx.putTask(left === 0 ? release(waiting, this.ctx, this.events, data) : waiting);
    return null;
  }

  /**
   * Cancels an open task because of another's outcome (see stopTask: a leased one is told to stop
   * and is `cancelling` until its holder acknowledges). It counts as skipped at once.
   */
  async skip(task: Task, code: string, reason: string): Promise<Task> {
    const error = { code, message: reason, retryable: false };
    const skipped = stopTask(task, this.ctx, this.events, { error }, { reason });
    await this.tx.putTask(skipped);
    this.count('skipped');
    return skipped;
  }

  /** Adds the counts to the goal and ends it once every task settled. */
  async finish(goalId: string, reason?: string): Promise<Goal> {
    const goal = await getGoalOrThrow(this.tx, goalId);
    const counted: Goal = {
      ...goal,
      succeededCount: goal.succeededCount + this.counts.succeeded,
      deadCount: goal.deadCount + this.counts.dead,
      skippedCount: goal.skippedCount + this.counts.skipped,
      updatedAt: this.ctx.now,
    };
    const settled = counted.succeededCount + counted.deadCount + counted.skippedCount;
    if (counted.state !== 'running' || settled < counted.taskCount) {
      await this.tx.putGoal(counted);
      return counted;
    }
    // Every task skipped (e.g. each one cancelled by hand) means nothing was done: cancelled.
    const to = counted.deadCount > 0 ? 'failed' : counted.succeededCount === 0 ? 'cancelled' : 'succeeded';
    return setGoalState(this.tx, counted, to, this.ctx, this.events, {
      succeeded: counted.succeededCount,
      dead: counted.deadCount,
      skipped: counted.skippedCount,
      ...(reason === undefined || to === 'succeeded' ? {} : { reason }),
    });
  }
}

/** After a task succeeded: counts it, readies dependents it was the last wait of, skips untaken branches. */
export async function afterSuccess(tx: Tx, task: Task, ctx: VerbContext, events: EventBatch): Promise<void> {
  const s = new Settling(tx, ctx, events);
  s.count('succeeded');
  await s.propagate(task, 'succeeded');
  await s.finish(task.goalId);
}

/** After a task died: counts it, runs its on_failure branches, and skips by the goal's policy. */
export async function afterDeath(tx: Tx, dead: Task, ctx: VerbContext, events: EventBatch): Promise<void> {
  const s = new Settling(tx, ctx, events);
  s.count('dead');
  await s.propagate(dead, 'dead');
  const goal = await getGoalOrThrow(tx, dead.goalId);
  if (goal.state === 'running' && goal.policy.onTaskDeath === 'fail_fast') {
    const spared = await branchesOf(tx, dead);
    const reason = `goal fails fast: task ${dead.name} (${dead.id}) died`;
    const open = await tx.listTasks(
      { goalId: goal.id, states: OPEN_TASK_STATES },
      { limit: Number.MAX_SAFE_INTEGER },
    );
    for (const listed of open) {
      if (spared.has(listed.id)) continue;
      // Skipping an earlier task may have skipped this one already: act on its current row.
      const task = await tx.getTask(listed.id);
      if (!task || task.state === 'cancelling' || !OPEN_TASK_STATES.includes(task.state)) continue;
      await s.propagate(await s.skip(task, SKIPPED.goalFailed, reason), 'skipped');
    }
  }
  await s.finish(goal.id, `task ${dead.name} (${dead.id}) died: ${dead.error?.message ?? 'no error'}`);
  if (goal.state === 'planning') await planningDied(tx, dead, ctx, events);
}

/**
 * After a task was cancelled on its own (not with its goal): counts it as skipped and skips what
 * depended on it. For verbs that cancel a single task of a running goal.
 */
export async function afterSkip(tx: Tx, task: Task, ctx: VerbContext, events: EventBatch): Promise<void> {
  const s = new Settling(tx, ctx, events);
  s.count('skipped');
  await s.propagate(task, 'skipped');
  await s.finish(task.goalId);
}

/** The dead task's on_failure branches and every task downstream of them: fail_fast spares these. */
async function branchesOf(tx: Tx, dead: Task): Promise<Set<string>> {
  const spared = new Set<string>();
  const queue = (await tx.listDependents(dead.id)).filter((t) => t.policy.runWhen === 'failed');
  for (let t = queue.shift(); t; t = queue.shift()) {
    if (spared.has(t.id)) continue;
    spared.add(t.id);
    queue.push(...(await tx.listDependents(t.id)));
  }
  return spared;
}
