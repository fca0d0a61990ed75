// The DAG invariants of the orchestrator-kill scenario, checked from the event log and the agents'
// execution records (pure: no I/O, unit-tested in invariants.test.ts).
import type { LogEvent } from './event-log.ts';
import type { Execution } from './records.ts';

/**
 * Server times come from the orchestrator's monotonic clock anchored to the wall clock at its
 * start (±1 ms, re-anchored at each restart), agents' from Date.now(): comparisons across the two
 * allow this much. The exact ordering checks use the log's sequence numbers instead.
 */
export const CLOCK_SLACK_MS = 5;

export interface FinalTask {
  id: string;
  goalId: string;
  /** The task's name in its goal; its result carries it (ChaosResult.name). */
  name: string;
  dependsOn: readonly string[];
  state: string;
  result: unknown;
}

export interface DagEvidence {
  tasks: readonly FinalTask[];
  events: readonly LogEvent[];
  executions: readonly Execution[];
  /** Agent id → name (records name agents, the log identifies them by id). */
  agentNames: ReadonlyMap<string, string>;
}

export interface DagCheck {
  /** Tasks not succeeded at the end, or never recorded as succeeded. */
  lost: string[];
  /** Tasks with more than one transition to succeeded. */
  completedTwice: string[];
  /** A lease granted, or an execution started, before a dependency had succeeded. */
  orderViolations: string[];
  /** Executions with no lease (task, epoch, agent) in the log: work nobody was given. */
  phantomExecutions: string[];
  /** Stored results that are not the task's own (another task's output applied). */
  wrongResults: string[];
  executions: number;
  /** Executions beyond one per task: the at-least-once re-runs. */
  duplicateExecutions: number;
  tasksRunMoreThanOnce: number;
  /** Duplicates that re-ran a lease (same epoch) already started, e.g. resumed after a restart. */
  sameLeaseReruns: number;
  leaseRevocations: number;
}

function first<T>(map: Map<string, T[]>, key: string): T | undefined {
  return map.get(key)?.[0];
}

function group<T>(items: readonly T[], key: (t: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== null) out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

export function checkDag(e: DagEvidence): DagCheck {
  const byId = new Map(e.tasks.map((t) => [t.id, t]));
  const label = (t: FinalTask) => `${t.goalId.slice(0, 8)}/${t.name}`;
  const labelOf = (id: string) => {
    const t = byId.get(id);
    return t ? label(t) : id;
  };
  const succeeded = group(
    e.events.filter((x) => x.kind === 'task.state' && x.data.to === 'succeeded'),
    (x) => x.taskId,
  );
  const assigned = group(
    e.events.filter((x) => x.kind === 'task.assigned'),
    (x) => x.taskId,
  );
  const runs = group(e.executions, (x) => x.task);
  const orderViolations: string[] = [];
  const phantomExecutions: string[] = [];

  for (const task of e.tasks) {
    for (const lease of assigned.get(task.id) ?? []) {
      for (const dep of task.dependsOn) {
        const done = first(succeeded, dep);
        if (!done || done.seq > lease.seq) {
          orderViolations.push(
            `${label(task)} leased (event ${lease.seq}) before ${labelOf(dep)} succeeded (${done ? `event ${done.seq}` : 'never'})`,
          );
        }
      }
    }
    for (const run of runs.get(task.id) ?? []) {
      if (!run.upstreamOk)
        orderViolations.push(`${label(task)} epoch ${run.epoch} ran without all its upstream results`);
      for (const dep of task.dependsOn) {
        const done = first(succeeded, dep);
        if (!done || run.start + CLOCK_SLACK_MS < done.at) {
          orderViolations.push(
            `${label(task)} epoch ${run.epoch} started at ${run.start}, before ${labelOf(dep)} succeeded (${done?.at ?? 'never'})`,
          );
        }
      }
      const lease = (assigned.get(task.id) ?? []).find(
        (l) => l.data.epoch === run.epoch && e.agentNames.get(l.agentId ?? '') === run.agent,
      );
      if (!lease)
        phantomExecutions.push(`${label(task)} epoch ${run.epoch} by ${run.agent}: no such lease in the log`);
    }
  }

  let duplicateExecutions = 0;
  let tasksRunMoreThanOnce = 0;
  let sameLeaseReruns = 0;
  for (const list of runs.values()) {
    if (list.length < 2) continue;
    duplicateExecutions += list.length - 1;
    tasksRunMoreThanOnce++;
    sameLeaseReruns += list.length - new Set(list.map((r) => `${r.epoch}@${r.agent}`)).size;
  }

  return {
    lost: e.tasks.filter((t) => t.state !== 'succeeded' || !succeeded.has(t.id)).map(label),
    completedTwice: e.tasks.filter((t) => (succeeded.get(t.id)?.length ?? 0) > 1).map(label),
    orderViolations,
    phantomExecutions,
    wrongResults: e.tasks
      .filter((t) => t.state === 'succeeded' && (t.result as { name?: unknown } | null)?.name !== t.name)
      .map(label),
    executions: e.executions.length,
    duplicateExecutions,
    tasksRunMoreThanOnce,
    sameLeaseReruns,
    leaseRevocations: e.events.filter((x) => x.kind === 'task.lease_revoked').length,
  };
}
