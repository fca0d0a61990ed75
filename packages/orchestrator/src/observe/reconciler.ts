import type { Config } from '../config/types.ts';
import type { Agent } from '../registry/agent.ts';
import type { Goal } from '../scheduler/goal.ts';
import { planRound } from '../scheduler/round.ts';
import { LEASED_TASK_STATES, type Task } from '../scheduler/task.ts';
import type { ReadTx } from '../store/backend.ts';
import { roundAgents, toRoundTask } from '../store/verbs/assign.ts';
import { roundLimits } from '../store/verbs/round-limits.ts';
import {
  goalCounts,
  orphanedLeases,
  pendingDeps,
  staleLeases,
  summarize,
  unplacedReady,
  type Violation,
  type ViolationSummary,
} from './invariants.ts';

/** Rows a run reads at most; goals and pending tasks are checked a page per run, in turn. */
const BOUNDS = { goals: 20, pending: 200, leases: 100, orphanAgents: 10, orphanTasks: 10 } as const;

export interface ReconcilerReport {
  /** When the run started, epoch ms (server clock). */
  at: number;
  durationMs: number;
  violations: ViolationSummary;
  /** Ready tasks a round could place now; a round is requested for them (the self-heal). */
  unplaced: number;
}

/** What the store gives the reconciler: committed reads and the clock. */
export interface ReconcilerSource {
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  now(): number;
}

/**
 * Checks the store's invariants (observe/invariants.ts) with bounded reads of committed data and
 * reports what it finds; it never changes data. Reads of several rows are not one snapshot (on
 * PostgreSQL each query sees the latest commits), so a suspect row is read again and reported only
 * if it did not change meanwhile: a verb that moves a task also updates the goal and dependents it
 * affects in the same transaction, so an unchanged row means the mismatch was real. A ready task
 * that a round could place is reported only when the previous run saw it too, unchanged: a round
 * finishes in milliseconds, so a task still waiting an interval later (after the round the first
 * sighting requested) was missed, not merely in flight.
 */
export class Reconciler {
  runs = 0;
  roundsRequested = 0;
  last: ReconcilerReport | null = null;
  private goalCursor: string | undefined;
  private pendingCursor: string | undefined;
  /** Ready tasks found placeable by the previous run, with their updatedAt. */
  private suspects = new Map<string, number>();

  constructor(
    private readonly source: ReconcilerSource,
    private readonly config: Config,
  ) {}

  /** One run of every check. */
  async run(): Promise<ReconcilerReport> {
    const started = performance.now();
    const now = this.source.now();
    const unplaced = await this.unplacedReady(now);
    const violations = [
      ...unplaced.confirmed,
      ...(await this.leases(now)),
      ...(await this.goalCounts()),
      ...(await this.pendingDeps()),
    ];
    this.runs++;
    if (unplaced.found > 0) this.roundsRequested++;
    this.last = {
      at: now,
      durationMs: performance.now() - started,
      violations: summarize(violations),
      unplaced: unplaced.found,
    };
    return this.last;
  }

  /** The round's own inputs and planner, on the ready queue as a round would read it. */
  private async unplacedReady(now: number): Promise<{ found: number; confirmed: Violation[] }> {
    // Without automatic rounds, ready tasks wait for POST /assign by design.
    if (!this.config.scheduler.autoAssign) return { found: 0, confirmed: [] };
    const found = await this.source.read(async (tx) => {
      const agents = await roundAgents(tx, { now, config: this.config });
      if (!agents.some((a) => a.active < a.maxParallel)) return [];
      const ready = await tx.listReadyTasks(now, this.config.scheduler.roundLimit);
      const covered = new Set(agents.flatMap((a) => a.skills));
      const plan = planRound({
        tasks: ready.map((t) => toRoundTask(t, covered)),
        agents,
        policy: this.config,
        ...(await roundLimits(tx, ready)),
      });
      const byId = new Map(ready.map((t) => [t.id, t]));
      return unplacedReady(plan, ready, now, this.config.reconciler.graceMs).map((v) => ({
        v,
        updatedAt: byId.get(v.subject)?.updatedAt ?? 0,
      }));
    });
    const confirmed = found.filter((f) => this.suspects.get(f.v.subject) === f.updatedAt).map((f) => f.v);
    this.suspects = new Map(found.map((f) => [f.v.subject, f.updatedAt]));
    return { found: found.length, confirmed };
  }

  private leases(now: number): Promise<Violation[]> {
    const { sweepIntervalMs } = this.config.heartbeat;
    return this.source.read(async (tx) => {
      const expired = await tx.listExpiredLeases(
        now - sweepIntervalMs - this.config.reconciler.graceMs,
        BOUNDS.leases,
      );
      const stale = staleLeases(expired, now, sweepIntervalMs, this.config.reconciler.graceMs);
      // Agents holding leases that are not active or draining: read their leases, then the agent
      // again, and report only an agent that did not change meanwhile.
      const loads = await tx.countLeasesByAgent();
      const live = new Set((await tx.listAgents(['active', 'draining'])).map((a) => a.id));
      const orphaned: Violation[] = [];
      for (const id of [...loads.keys()].filter((x) => !live.has(x)).slice(0, BOUNDS.orphanAgents)) {
        const before = await tx.getAgent(id);
        const held = await tx.listTasks(
          { agentId: id, states: LEASED_TASK_STATES },
          { limit: BOUNDS.orphanTasks },
        );
        const after = await tx.getAgent(id);
        if (!sameAgent(before, after)) continue;
        orphaned.push(...orphanedLeases(held, new Map(after ? [[id, after]] : [])));
      }
      return [...stale, ...orphaned];
    });
  }

  private goalCounts(): Promise<Violation[]> {
    return this.source.read(async (tx) => {
      const goals = await tx.listGoals(
        { states: ['running'] },
        { limit: BOUNDS.goals, after: this.goalCursor },
      );
      this.goalCursor = goals.length < BOUNDS.goals ? undefined : goals.at(-1)?.id;
      const out: Violation[] = [];
      for (const goal of goals) {
        const found = goalCounts(goal, await tx.countTasksByState(goal.id));
        if (found.length === 0) continue;
        const again = await tx.getGoal(goal.id);
        if (again !== null && sameCounters(goal, again)) out.push(...found);
      }
      return out;
    });
  }

  private pendingDeps(): Promise<Violation[]> {
    return this.source.read(async (tx) => {
      const pending = await tx.listTasks(
        { states: ['pending'] },
        { limit: BOUNDS.pending, after: this.pendingCursor },
      );
      this.pendingCursor = pending.length < BOUNDS.pending ? undefined : pending.at(-1)?.id;
      const depIds = [...new Set(pending.flatMap((t) => t.dependsOn))];
      const deps = new Map((await tx.getTasks(depIds)).map((t) => [t.id, t]));
      const found = pendingDeps(pending, deps);
      if (found.length === 0) return [];
      const first = new Map(pending.map((t) => [t.id, t]));
      const again = new Map((await tx.getTasks(found.map((v) => v.subject))).map((t) => [t.id, t]));
      return found.filter((v) => sameTask(first.get(v.subject), again.get(v.subject)));
    });
  }
}

function sameAgent(a: Agent | null, b: Agent | null): boolean {
  return a?.state === b?.state && a?.updatedAt === b?.updatedAt;
}

const COUNTERS = ['state', 'taskCount', 'succeededCount', 'deadCount', 'skippedCount', 'updatedAt'] as const;

function sameCounters(a: Goal, b: Goal): boolean {
  return COUNTERS.every((k) => a[k] === b[k]);
}

function sameTask(a: Task | undefined, b: Task | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.state === b.state &&
    a.pendingDeps === b.pendingDeps &&
    a.updatedAt === b.updatedAt
  );
}
