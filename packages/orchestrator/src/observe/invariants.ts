import type { Agent } from '../registry/agent.ts';
import type { Goal } from '../scheduler/goal.ts';
import type { RoundPlan } from '../scheduler/round.ts';
import { isTerminalTask, type Task, type TaskState } from '../scheduler/task.ts';

/**
 * The invariants the reconciler checks, as pure functions over rows read from the store. Each
 * returns the violations it finds; none changes anything.
 *
 * - `unassigned_ready`: a ready task that an assignment round would place now (an active agent
 *   with a free slot is able and allowed to take it) has waited longer than the grace period.
 * - `orphaned_lease`: a task is leased to an agent that is not active or draining (its leases
 *   should have been revoked with the state change).
 * - `stale_lease`: a lease expired more than one sweep interval (plus the grace period) ago
 *   (the sweep should have revoked it).
 * - `goal_counts`: a running goal's succeeded/dead/skipped counts or task count differ from its
 *   tasks' states.
 * - `pending_deps`: a pending task's pendingDeps differs from its dependencies still unfinished.
 */
export type ViolationKind =
  'unassigned_ready' | 'orphaned_lease' | 'stale_lease' | 'goal_counts' | 'pending_deps';

export const VIOLATION_KINDS: readonly ViolationKind[] = [
  'unassigned_ready',
  'orphaned_lease',
  'stale_lease',
  'goal_counts',
  'pending_deps',
];

export interface Violation {
  kind: ViolationKind;
  /** The task, goal or agent it is about. */
  subject: string;
  detail: string;
}

/** The plan's assignments of tasks that were ready, unchanged, since before `now − graceMs`. */
export function unplacedReady(
  plan: RoundPlan,
  ready: readonly Task[],
  now: number,
  graceMs: number,
): Violation[] {
  const byId = new Map(ready.map((t) => [t.id, t]));
  const out: Violation[] = [];
  for (const a of plan.assignments) {
    const t = byId.get(a.taskId);
    if (t === undefined || t.updatedAt > now - graceMs || t.availableAt > now - graceMs) continue;
    out.push({
      kind: 'unassigned_ready',
      subject: t.id,
      detail: `task ${t.name} ready for ${now - Math.max(t.updatedAt, t.availableAt)} ms while agent ${a.agentId} could take it`,
    });
  }
  return out;
}

/** Leases held by agents that are not active or draining (`holders`: the agents by id; absent: unknown). */
export function orphanedLeases(leased: readonly Task[], holders: ReadonlyMap<string, Agent>): Violation[] {
  const out: Violation[] = [];
  for (const t of leased) {
    const agent = t.agentId === null ? undefined : holders.get(t.agentId);
    if (agent?.state === 'active' || agent?.state === 'draining') continue;
    out.push({
      kind: 'orphaned_lease',
      subject: t.id,
      detail: `task ${t.name} is ${t.state} by agent ${t.agentId ?? '(none)'}, which is ${agent?.state ?? 'unknown'}`,
    });
  }
  return out;
}

/** Leases that expired before `now − sweepIntervalMs − graceMs` and are still held. */
export function staleLeases(
  leased: readonly Task[],
  now: number,
  sweepIntervalMs: number,
  graceMs: number,
): Violation[] {
  const out: Violation[] = [];
  for (const t of leased) {
    if (t.leaseExpiresAt === null || t.leaseExpiresAt >= now - sweepIntervalMs - graceMs) continue;
    out.push({
      kind: 'stale_lease',
      subject: t.id,
      detail: `task ${t.name} is still ${t.state} by agent ${t.agentId ?? '(none)'}, ${now - t.leaseExpiresAt} ms after its lease expired`,
    });
  }
  return out;
}

/**
 * A running goal's counters against its tasks' states. A skipped task counts as soon as it is
 * stopped, so `cancelling` tasks count with `cancelled` ones.
 */
export function goalCounts(goal: Goal, states: Partial<Record<TaskState, number>>): Violation[] {
  if (goal.state !== 'running') return [];
  const n = (s: TaskState) => states[s] ?? 0;
  const total = Object.values(states).reduce<number>((sum, k) => sum + (k ?? 0), 0);
  const pairs: [string, number, number][] = [
    ['taskCount', goal.taskCount, total],
    ['succeededCount', goal.succeededCount, n('succeeded')],
    ['deadCount', goal.deadCount, n('dead')],
    ['skippedCount', goal.skippedCount, n('cancelled') + n('cancelling')],
  ];
  const wrong = pairs.filter(([, stored, actual]) => stored !== actual);
  if (wrong.length === 0) return [];
  return [
    {
      kind: 'goal_counts',
      subject: goal.id,
      detail: `goal ${goal.id}: ${wrong.map(([name, stored, actual]) => `${name} ${stored}, tasks say ${actual}`).join('; ')}`,
    },
  ];
}

/**
 * Pending tasks whose pendingDeps is not the number of their dependencies still unfinished. A
 * dependency is finished in a terminal state, or `cancelling` (a skip settles its dependents when
 * it is stopped). `deps`: the dependencies by id; a missing one counts as unfinished.
 */
export function pendingDeps(pending: readonly Task[], deps: ReadonlyMap<string, Task>): Violation[] {
  const out: Violation[] = [];
  for (const t of pending) {
    if (t.state !== 'pending') continue;
    const open = t.dependsOn.filter((id) => {
      const d = deps.get(id);
      return d === undefined || !(isTerminalTask(d.state) || d.state === 'cancelling');
    }).length;
    if (open === t.pendingDeps) continue;
    out.push({
      kind: 'pending_deps',
      subject: t.id,
      detail: `task ${t.name}: pendingDeps ${t.pendingDeps}, but ${open} of its ${t.dependsOn.length} dependencies are unfinished`,
    });
  }
  return out;
}

/** Violations by kind: how many, and a few examples. */
export type ViolationSummary = Record<ViolationKind, { count: number; examples: Violation[] }>;

export function summarize(violations: readonly Violation[], examples = 5): ViolationSummary {
  const out = Object.fromEntries(
    VIOLATION_KINDS.map((k) => [k, { count: 0, examples: [] as Violation[] }]),
  ) as ViolationSummary;
  for (const v of violations) {
    const entry = out[v.kind];
    entry.count++;
    if (entry.examples.length < examples) entry.examples.push(v);
  }
  return out;
}
