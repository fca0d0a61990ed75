// kill -9 of the orchestrator at random moments while real agent processes run a DAG of
// thousands of tasks; it is restarted each time on the same data directory and port. Checked from
// the event log and the agents' execution records: nothing lost, nothing completed twice, no task
// leased or started before its dependencies succeeded, no work done without a lease.
import { percentile } from '../../src/stats.ts';
import { AgentProcess } from '../agents.ts';
import { layeredDag } from '../dag.ts';
import { countByState, readAgentNames, readAllTasks, readEvents, readGoal, submitDag } from '../event-log.ts';
import { checkDag, type FinalTask } from '../invariants.ts';
import { ChaosServer, type Restart } from '../orchestrator.ts';
import { readExecutions } from '../records.ts';
import type { ChaosContext, Scenario, ScenarioResult } from '../scenario.ts';
import { sleep } from '../timing.ts';

const FULL = { goals: 6, layers: 15, width: 60, kills: 12 };
const QUICK = { goals: 2, layers: 10, width: 40, kills: 3 };
const PROCESSES = 3;
const AGENTS_PER_PROCESS = 4;
const MAX_PARALLEL = 4;
/** Handler time: long enough that a kill usually finds many tasks in flight. */
const MIN_TASK_MS = 10;
const MAX_TASK_MS = 50;

/**
 * Leases long enough that agents reconnecting after a restart resume theirs (the server gives
 * every lease a fresh TTL at start); attempts raised because a lease revoked while its agent was
 * still reconnecting counts as an attempt, and running out of attempts (a dead task, by design)
 * is not what this scenario is about. Revocations are reported.
 */
const CONFIG = {
  leases: { ttl_ms: 5000 },
  heartbeat: { ttl_ms: 3000, sweep_interval_ms: 250 },
  retry: { max_attempts: 10 },
};

/** No task finishing for this long means the run is stuck (a lost task, or a stalled server). */
const STALL_MS = 60_000;

/** What a stuck run looks like: a few unfinished tasks with their history, and the agents. */
async function stuckEvidence(server: ChaosServer): Promise<unknown> {
  const open = (await readAllTasks(server.api)).filter((t) => t.state !== 'succeeded');
  const agents = (await server.api.get('/orchestration/agents')).body;
  const sample = await Promise.all(
    open.slice(0, 5).map(async (t) => ({ task: t, history: await readEvents(server.api, { taskId: t.id }) })),
  );
  return { open: open.length, sample, agents, serverErrors: server.errorLines.slice(-20) };
}

/** Waits until `n` tasks succeeded; fails with the task states if progress stalls. */
async function waitSucceeded(server: ChaosServer, n: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const states = await countByState(server.api);
    const done = states.succeeded ?? 0;
    if (done >= n) return;
    if (done !== last) [last, since] = [done, Date.now()];
    if (Date.now() - since > STALL_MS) {
      throw new Error(
        `stuck: no task succeeded for ${STALL_MS} ms, ${done}/${n}; tasks by state ${JSON.stringify(states)}\n` +
          JSON.stringify(await stuckEvidence(server), null, 1),
      );
    }
    await sleep(20);
  }
}

async function run(ctx: ChaosContext): Promise<ScenarioResult> {
  const size = ctx.quick ? QUICK : FULL;
  const server = await ChaosServer.start(CONFIG);
  const procs: AgentProcess[] = [];
  try {
    const goals: { goalId: string; dependsOn: Map<string, string[]> }[] = [];
    for (let g = 0; g < size.goals; g++) {
      const dag = layeredDag(ctx.random, { layers: size.layers, width: size.width, maxDeps: 3 });
      const submitted = await submitDag(
        server.api,
        `orchestrator-kill ${g}`,
        dag.map((t) => ({
          name: t.name,
          skills: ['chaos'],
          depends_on: t.dependsOn,
          input: { mode: 'work', ms: ctx.random.int(MIN_TASK_MS, MAX_TASK_MS), deps: t.dependsOn },
        })),
      );
      goals.push({ goalId: submitted.goalId, dependsOn: new Map(dag.map((t) => [t.name, t.dependsOn])) });
    }
    const total = size.goals * size.layers * size.width;
    ctx.progress(`${total} tasks submitted; killing the orchestrator ${size.kills} times`);
    // Agents join only now, all at once, so the whole run happens under the kills.
    procs.push(
      ...(await Promise.all(
        Array.from({ length: PROCESSES }, (_, p) =>
          AgentProcess.spawn(server.agentConfig, ctx.workDir, `okill-p${p}`),
        ),
      )),
    );
    await Promise.all(
      procs.map((proc, p) =>
        proc.add(
          Array.from({ length: AGENTS_PER_PROCESS }, (_, i) => ({
            name: `okill-p${p}-a${i}`,
            skills: ['chaos'],
            maxParallel: MAX_PARALLEL,
          })),
        ),
      ),
    );
    const began = Date.now();

    // Kill moments: random points of progress (3 %–95 % of tasks succeeded), plus 0–100 ms.
    const points = ctx.random
      .sample(
        Array.from({ length: Math.floor(total * 0.92) }, (_, i) => Math.floor(total * 0.03) + i),
        size.kills,
      )
      .sort((a, b) => a - b);
    const restarts: (Restart & { killedAt: number; atSucceeded: number })[] = [];
    for (const point of points) {
      await waitSucceeded(server, point);
      await sleep(ctx.random.int(0, 100));
      const atSucceeded = (await countByState(server.api)).succeeded ?? 0;
      const killedAt = Date.now();
      restarts.push({ ...(await server.killAndRestart()), killedAt, atSucceeded });
      ctx.progress(`kill ${restarts.length}/${size.kills} at ${atSucceeded}/${total} succeeded`);
    }
    await waitSucceeded(server, total);
    const ranFor = Date.now() - began;

    // The evidence: final tasks, the whole event log, every execution record.
    const tasks: FinalTask[] = [];
    const unfinishedGoals: string[] = [];
    for (const goal of goals) {
      const { state, tasks: views } = await readGoal(server.api, goal.goalId);
      if (state !== 'succeeded') unfinishedGoals.push(`${goal.goalId} is ${state}`);
      const idOf = new Map(views.map((v) => [v.name, v.id]));
      for (const v of views) {
        const deps = goal.dependsOn.get(v.name) ?? [];
        tasks.push({
          id: v.id,
          goalId: goal.goalId,
          name: v.name,
          dependsOn: deps.map((d) => idOf.get(d) ?? d),
          state: v.state,
          result: v.result,
        });
      }
    }
    const events = await readEvents(server.api);
    const agentNames = await readAgentNames(server.api);
    await Promise.all(procs.map((p) => p.stop()));
    const executions = readExecutions(procs.map((p) => p.recordFile));
    const check = checkDag({ tasks, events, executions, agentNames });

    // Restart → first dispatch: the first handler start after the new process was spawned and
    // before the next kill (none if it was killed again first).
    const starts = executions.map((x) => x.start).sort((a, b) => a - b);
    const perRestart = restarts.map((r, i) => {
      const until = restarts[i + 1]?.killedAt ?? Infinity;
      const firstStart = starts.find((s) => s > r.spawnedAt && s < until);
      return {
        killedAtSucceeded: r.atSucceeded,
        inFlightAtKill: executions.filter((x) => x.start <= r.killedAt && (x.end ?? Infinity) >= r.killedAt)
          .length,
        listeningMs: r.listeningAt - r.spawnedAt,
        firstDispatchMs: firstStart === undefined ? null : firstStart - r.spawnedAt,
      };
    });
    const listening = perRestart.map((r) => r.listeningMs);
    const dispatch = perRestart.flatMap((r) => (r.firstDispatchMs === null ? [] : [r.firstDispatchMs]));

    const violations = [
      ...examples('task(s) lost (not succeeded at the end)', check.lost),
      ...examples('task(s) completed twice', check.completedTwice),
      ...examples('dependency-order violation(s)', check.orderViolations),
      ...examples('execution(s) without a lease in the log', check.phantomExecutions),
      ...examples('task(s) with another task’s result', check.wrongResults),
      ...examples('goal(s) not succeeded at the end', unfinishedGoals),
    ];
    if (restarts.length < size.kills) violations.push(`only ${restarts.length} kills, ${size.kills} planned`);

    return {
      size: `${total.toLocaleString('en-US')} tasks in ${size.goals} layered DAGs (${size.layers} layers × ${size.width}, 1–3 deps), ${PROCESSES} agent processes × ${AGENTS_PER_PROCESS} agents × ${MAX_PARALLEL}, ${size.kills} kills`,
      figures: [
        {
          label: 'orchestrator kill -9 + restart',
          value: restarts.length,
          unit: 'kills',
          bound: `≥ ${size.kills}`,
        },
        { label: 'tasks lost', value: check.lost.length, unit: 'tasks', bound: '= 0' },
        { label: 'tasks completed twice', value: check.completedTwice.length, unit: 'tasks', bound: '= 0' },
        {
          label: 'dependency-order violations',
          value: check.orderViolations.length,
          unit: 'violations',
          bound: '= 0',
        },
        {
          label: 'executions without a lease',
          value: check.phantomExecutions.length,
          unit: 'executions',
          bound: '= 0',
        },
        { label: 'executions (handler runs)', value: check.executions, unit: 'runs' },
        {
          label: 'duplicate executions (at-least-once re-runs)',
          value: check.duplicateExecutions,
          unit: 'runs',
        },
        { label: 'tasks run more than once', value: check.tasksRunMoreThanOnce, unit: 'tasks' },
        { label: 'lease revocations', value: check.leaseRevocations, unit: 'leases' },
        {
          label: 'handler runs in flight at a kill (p50)',
          value: percentile(
            perRestart.map((r) => r.inFlightAtKill),
            50,
          ),
          unit: 'runs',
        },
        { label: 'restart → listening p50', value: percentile(listening, 50), unit: 'ms' },
        { label: 'restart → listening max', value: Math.max(...listening), unit: 'ms' },
        { label: 'restart → first dispatch p50', value: percentile(dispatch, 50), unit: 'ms' },
        { label: 'restart → first dispatch max', value: Math.max(...dispatch), unit: 'ms' },
        { label: 'run time (agents up → all succeeded)', value: ranFor / 1000, unit: 's' },
      ],
      violations,
      details: { restarts: perRestart, events: events.length, check },
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop().catch(() => p.kill())));
    await server.stop();
  }
}

function examples(what: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  return [`${items.length} ${what}, e.g.: ${items.slice(0, 5).join('; ')}`];
}

export const orchestratorKill: Scenario = {
  name: 'orchestrator-kill',
  summary:
    'kill -9 the orchestrator at random moments during a DAG run by real agent processes: 0 lost, 0 completed twice, 0 dependency-order violations',
  run,
};
