/**
 * The demo's progress lines, from the goal's event log (GET /orchestration/events?goal_id=…):
 * every task transition in the order it was committed, with the agent that holds the task. Fast
 * agents finish a task between two polls of the goal; the log still has each step.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WireEvent, WireGoal, WireTask } from '@kos/contracts';
import type { KosClient } from '../client.ts';
import { isTerminalGoal } from '../progress.ts';
import { shortId } from '../table.ts';

export interface FollowOptions {
  /** Task id → name, from the submit answer. */
  taskNames: ReadonlyMap<string, string>;
  log: (line: string) => void;
  signal?: AbortSignal;
  intervalMs?: number;
}

/** Prints the goal's task and goal transitions until the goal ends; returns its last state. */
export async function followGoal(
  api: KosClient,
  goalId: string,
  opts: FollowOptions,
): Promise<{ goal: WireGoal; tasks: WireTask[] }> {
  const started = Date.now();
  const agentNames = new Map<string, string>();
  const succeeded = new Set<string>();
  let after = 0;
  for (;;) {
    const { events } = await api.events({ goal_id: goalId, after, limit: 500 });
    let ended = false;
    for (const e of events) {
      after = e.seq;
      if (e.agent_id !== null && !agentNames.has(e.agent_id)) {
        agentNames.set(e.agent_id, (await api.getAgent(e.agent_id)).agent.name);
      }
      if (e.kind === 'task.state' && e.data.to === 'succeeded' && e.task_id !== null)
        succeeded.add(e.task_id);
      const line = describeEvent(e, opts.taskNames, agentNames, succeeded.size);
      if (line !== null) opts.log(`+${((Date.now() - started) / 1000).toFixed(1)}s ${line}`);
      if (e.kind === 'goal.state' && isTerminalGoal(e.data.to as WireGoal['state'])) ended = true;
    }
    if (ended) return api.getGoal(goalId);
    if (events.length < 500) {
      await delay(
        opts.intervalMs ?? 100,
        undefined,
        opts.signal === undefined ? {} : { signal: opts.signal },
      );
    }
  }
}

/** One line for a task or goal transition; null for the other events. */
export function describeEvent(
  e: WireEvent,
  taskNames: ReadonlyMap<string, string>,
  agentNames: ReadonlyMap<string, string>,
  succeededCount: number,
): string | null {
  const from = typeof e.data.from === 'string' ? e.data.from : null;
  const to = typeof e.data.to === 'string' ? e.data.to : '?';
  const arrow = from === null ? to : `${from} → ${to}`;
  if (e.kind === 'task.state' && e.task_id !== null) {
    const name = taskNames.get(e.task_id) ?? 'task';
    const agent = e.agent_id === null ? undefined : agentNames.get(e.agent_id);
    const by = agent === undefined || to === 'ready' || to === 'pending' ? '' : ` [${agent}]`;
    return `task ${name} (${shortId(e.task_id)}) ${arrow}${by}`;
  }
  if (e.kind === 'goal.state' && e.goal_id !== null) {
    return `goal ${shortId(e.goal_id)} ${arrow} (${succeededCount}/${taskNames.size} tasks succeeded)`;
  }
  return null;
}
