import { PRIORITIES, type Priority } from '@kos/protocol';
import { openBreakers, trustNow } from '../registry/health.ts';
import type { Agent, AgentState } from '../registry/agent.ts';
import type { GoalState } from '../scheduler/goal.ts';
import { OPEN_TASK_STATES, type Task, type TaskState } from '../scheduler/task.ts';
import { buildTensor, type Tensor } from '../scheduler/tensor.ts';
import { waitingCounts, type WaitingCode } from '../scheduler/waiting.ts';
import type { ReconcilerReport } from '../observe/reconciler.ts';
import { toRoundAgent, toRoundTask, type Lease } from '../store/verbs/assign.ts';
import { actorId, type Actor, type Core } from './core.ts';
import { ALL } from './paging.ts';

/** Runs one assignment round now and returns its leases (with each decision's score). */
export function assignNow(core: Core, actor: Actor): Promise<Lease[]> {
  return core.assignNow(actorId(actor));
}

/** Agents a status or tensor shows: all but the unregistered. */
const LISTED: readonly AgentState[] = ['active', 'draining', 'lost', 'quarantined'];

/**
 * T[n_tasks, n_agents, 4] from the scheduler's own scores. Rows are the goal's tasks (with
 * `goalId`) or every unfinished task; columns are the registered agents.
 */
export async function readTensor(
  core: Core,
  req: { goalId?: string | undefined },
): Promise<{ tensor: Tensor; tasks: Task[]; agents: Agent[] }> {
  const { tasks, agents, loads } = await core.store.read(async (tx) => ({
    tasks: await tx.listTasks(req.goalId ? { goalId: req.goalId } : { states: OPEN_TASK_STATES }, {
      limit: ALL,
    }),
    agents: await tx.listAgents(LISTED),
    loads: await tx.countLeasesByAgent(),
  }));
  // Scored on the skills a round would match them on (fallback skills included), as rounds do.
  const covered = new Set(agents.filter((a) => a.state === 'active').flatMap((a) => a.skills));
  const now = core.store.now();
  const tensor = buildTensor({
    tasks: tasks.map((t) => ({ ...toRoundTask(t, covered), state: t.state, agentId: t.agentId })),
    agents: agents.map((a) => toRoundAgent(a, loads.get(a.id) ?? 0, now, core.config)),
    policy: core.config,
  });
  return { tensor, tasks, agents };
}

type OpenBreaker = 'open' | 'half_open';

/** One agent as the status shows it: its load, trust now and breakers by skill. */
export interface FleetMember {
  agent: Agent;
  activeLeases: number;
  trust: number;
  /** Breakers not closed now, by skill key. */
  breakers: Record<string, OpenBreaker>;
}

export interface FleetStatus {
  tasks: Partial<Record<TaskState, number>>;
  goals: Partial<Record<GoalState, number>>;
  agents: Partial<Record<AgentState, number>>;
  fleet: FleetMember[];
  health: { quarantined: number; breakers: { open: number; halfOpen: number }; untrusted: number };
  /** Ready tasks per priority tier, every tier present. */
  readyByPriority: Record<Priority, number>;
  /** Waiting tasks (ready, pending, awaiting approval, retrying) by why they wait. */
  waiting: Partial<Record<WaitingCode, number>>;
  /** The tensor's shape without building it: its rows are the open tasks, its columns these agents. */
  tensorShape: [number, number, number];
  reconciler: {
    intervalMs: number;
    runs: number;
    roundsRequested: number;
    last: ReconcilerReport | null;
  };
  store: 'sqlite' | 'postgres';
  uptimeMs: number;
}

/** Counts by state and each agent's load, from committed data; also sets the state gauges. */
export async function fleetStatus(core: Core): Promise<FleetStatus> {
  const { store, config } = core;
  const [tasks, heldBack, goals, agentsByState, agents, loads, ready] = await store.read((tx) =>
    Promise.all([
      tx.countTasksByState(),
      tx.countHeldBackByReason(),
      tx.countGoalsByState(),
      tx.countAgentsByState(),
      tx.listAgents(LISTED),
      tx.countLeasesByAgent(),
      tx.countReadyByPriority(),
    ]),
  );
  const now = store.now();
  const fleet = agents.map((agent) => ({
    agent,
    activeLeases: loads.get(agent.id) ?? 0,
    trust: trustNow(agent, now, config),
    breakers: openBreakers(agent, now, config),
  }));
  const count = (state: OpenBreaker) =>
    fleet.reduce((n, m) => n + Object.values(m.breakers).filter((s) => s === state).length, 0);
  const health = {
    quarantined: agentsByState.quarantined ?? 0,
    breakers: { open: count('open'), halfOpen: count('half_open') },
    untrusted: fleet.filter(
      (m) => m.agent.state !== 'quarantined' && m.trust < config.security.trustThreshold,
    ).length,
  };
  core.metrics.setGauges({ tasks, agents: agentsByState, readyQueueDepth: tasks.ready ?? 0 });
  core.metrics.setBreakerGauges({ open: health.breakers.open, half_open: health.breakers.halfOpen });
  const openTasks = OPEN_TASK_STATES.reduce((n, s) => n + (tasks[s] ?? 0), 0);
  const { runs, roundsRequested, last } = core.reconciler;
  return {
    tasks,
    goals,
    agents: agentsByState,
    fleet,
    health,
    readyByPriority: Object.fromEntries(PRIORITIES.map((p) => [p, ready[p] ?? 0])) as Record<
      Priority,
      number
    >,
    waiting: waitingCounts(tasks, heldBack),
    tensorShape: [openTasks, agents.length, PRIORITIES.length],
    reconciler: { intervalMs: config.reconciler.intervalMs, runs, roundsRequested, last },
    store: store.backend.kind,
    uptimeMs: now - core.startedAt,
  };
}
