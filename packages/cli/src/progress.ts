/**
 * Live progress of one goal: poll GET /orchestration/goals/:id until the goal is terminal and show
 * each task as a bar (terminal) or as one line per state change (pipes, logs, CI).
 */
import { setTimeout as delay } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import type { GoalState, TaskState, WireGoal, WireTask } from '@kos/contracts';
import type { KosClient } from './client.ts';
import { TERMINAL_GOAL_STATES } from './states.ts';
import { shortId } from './table.ts';

/** How far along a task is, in percent: waiting 0, held by an agent 50, succeeded 100. */
export function progressOf(state: TaskState): 0 | 50 | 100 {
  switch (state) {
    case 'leased':
    case 'running':
    case 'cancelling':
      return 50;
    case 'succeeded':
      return 100;
    // A task that died or was cancelled did not get its work done: it stays empty, its label says why.
    case 'pending':
    case 'awaiting_approval':
    case 'ready':
    case 'retrying':
    case 'dead':
    case 'cancelled':
      return 0;
  }
}

export interface StateChange {
  taskId: string;
  name: string;
  from: TaskState | null;
  to: TaskState;
}

/** The tasks whose state differs from `seen` (null `from` for a task seen the first time). */
export function stateChanges(
  seen: ReadonlyMap<string, TaskState>,
  tasks: readonly WireTask[],
): StateChange[] {
  return tasks.flatMap((t) => {
    const from = seen.get(t.id) ?? null;
    return from === t.state ? [] : [{ taskId: t.id, name: t.name, from, to: t.state }];
  });
}

export interface ProgressView {
  show(goal: WireGoal, tasks: readonly WireTask[]): void;
  stop(): void;
}

/** One line per change, prefixed with the seconds since the watch began. */
export class LineView implements ProgressView {
  private readonly seen = new Map<string, TaskState>();
  private goalState: GoalState | null = null;
  private readonly started = Date.now();
  private readonly write: (line: string) => void;

  constructor(write: (line: string) => void) {
    this.write = write;
  }

  show(goal: WireGoal, tasks: readonly WireTask[]): void {
    const at = `+${((Date.now() - this.started) / 1000).toFixed(1)}s`;
    for (const c of stateChanges(this.seen, tasks)) {
      const arrow = c.from === null ? c.to : `${c.from} → ${c.to}`;
      this.write(`${at} task ${c.name} (${shortId(c.taskId)}) ${arrow}`);
      this.seen.set(c.taskId, c.to);
    }
    if (goal.state !== this.goalState) {
      this.write(`${at} goal ${shortId(goal.id)} ${goal.state} (${goal.succeeded_count}/${goal.task_count})`);
      this.goalState = goal.state;
    }
  }

  stop(): void {}
}

/** A cli-progress MultiBar with a bar per task, labelled with the task's name and state. */
export class BarView implements ProgressView {
  private readonly bars = new Map<string, SingleBar>();
  private readonly multi: cliProgress.MultiBar;

  constructor(stream: NodeJS.WriteStream) {
    this.multi = new cliProgress.MultiBar(
      {
        stream,
        format: ' {bar} {percentage}% | {name} {state}',
        hideCursor: true,
        clearOnComplete: false,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  show(_goal: WireGoal, tasks: readonly WireTask[]): void {
    const width = Math.max(...tasks.map((t) => t.name.length));
    for (const t of tasks) {
      const payload = { name: t.name.padEnd(width), state: t.state };
      const bar = this.bars.get(t.id);
      if (bar === undefined) this.bars.set(t.id, this.multi.create(100, progressOf(t.state), payload));
      else bar.update(progressOf(t.state), payload);
    }
  }

  stop(): void {
    this.multi.stop();
  }
}

export function isTerminalGoal(state: GoalState): boolean {
  return TERMINAL_GOAL_STATES.includes(state);
}

/** Polls the goal every `intervalMs` until it is terminal; returns its last answer. */
export async function watchGoal(
  client: KosClient,
  goalId: string,
  view: ProgressView,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<{ goal: WireGoal; tasks: WireTask[] }> {
  try {
    for (;;) {
      const answer = await client.getGoal(goalId);
      view.show(answer.goal, answer.tasks);
      if (isTerminalGoal(answer.goal.state)) return answer;
      await delay(intervalMs, undefined, signal === undefined ? {} : { signal });
    }
  } finally {
    view.stop();
  }
}
