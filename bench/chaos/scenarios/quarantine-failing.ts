// Quarantine, keeps failing: under a steady stream of tasks a healthy fleet runs, an agent process
// whose handler fails every task with a retryable error joins. Its breaker opens at
// breaker.failure_threshold failures and lets one probe through after each cool-down; the probes
// fail too, and the lifecycle.quarantine_threshold-th failure quarantines it in the transaction
// that records it (docs/agent-health.md), so no lease can slip in between. The stream keeps going
// for a while afterwards, and a task only it has the skill for is left waiting.
import type { AgentProcess } from '../agents.ts';
import {
  readAgentIds,
  readAllTasks,
  readTask,
  submitDag,
  type LogEvent,
  type TaskView,
} from '../event-log.ts';
import type { ChaosServer } from '../orchestrator.ts';
import { judgeFailing, type FailingVerdict } from '../quarantine-checks.ts';
import { readyStream } from '../ready-stream.ts';
import type { Execution } from '../records.ts';
import type { ChaosContext } from '../scenario.ts';
import { sleep, until } from '../timing.ts';

/** Default breaker and quarantine thresholds; a short cool-down keeps a trial to about a second. */
export const RULES = { breakerThreshold: 3, cooldownMs: 400, quarantineThreshold: 5 };
/** Ready tasks the stream keeps queued, each running 20–40 ms. */
const QUEUE_TARGET = 8;
/** How long the stream keeps going once an agent is quarantined: several cool-downs. */
export const AFTER_MS = 1500;
/** How long a task only the quarantined agent could take is watched for a lease. */
export const PROBE_MS = 500;

interface Agent {
  id: string;
  name: string;
  state: string;
  health: {
    consecutive_failures: number;
    breakers: Record<string, { state: string; failures: number }>;
    quarantine: { reason: string; by: string } | null;
  };
}

const agentOf = async (server: ChaosServer, id: string): Promise<Agent> =>
  (await server.api.get<{ agent: Agent }>(`/orchestration/agents/${id}`)).body.agent;

export interface FailingTrial {
  n: number;
  name: string;
  agentId: string;
  joinedAt: number;
  /** consecutive_failures when its `*` breaker was first seen open (GET /orchestration/agents). */
  breakerSeenOpenAt: number | null;
  /** As the API shows it once quarantined. */
  finalState: string;
  finalFailures: number;
  quarantineBy: string | null;
  /** A task only it has the skill for, submitted after its quarantine: its state PROBE_MS later. */
  probeState: string;
  /** Its handler runs (execution records). */
  runs: number;
  verdict?: FailingVerdict;
}

/** What the failing trials saw while the stream ran; judged once the log is read. */
export interface FailingPhase {
  trials: Omit<FailingTrial, 'runs'>[];
  /** The ids of the stream's tasks, and their final states. */
  streamed: Set<string>;
  settled: TaskView[];
}

async function failingTrial(
  server: ChaosServer,
  flaky: AgentProcess,
  n: number,
): Promise<Omit<FailingTrial, 'runs'>> {
  const name = `flaky-${n}`;
  const only = `flaky-only-${n}`;
  const joinedAt = Date.now();
  await flaky.add([{ name, skills: ['q-work', only], maxParallel: 1, failing: true }]);
  const agentId = (await readAgentIds(server.api)).get(name)!;
  let breakerSeenOpenAt: number | null = null;
  const isolated = await until(
    async () => {
      const a = await agentOf(server, agentId);
      if (breakerSeenOpenAt === null && a.health.breakers['*']?.state === 'open')
        breakerSeenOpenAt = a.health.consecutive_failures;
      return a.state === 'quarantined' ? a : undefined;
    },
    RULES.cooldownMs * (RULES.quarantineThreshold + 2) + 15_000,
    `${name} to be quarantined`,
  );
  const { ids } = await submitDag(server.api, `only ${name} could take this`, [
    { name: 'probe', skills: [only], input: { mode: 'work', ms: 10 } },
  ]);
  await sleep(Math.max(PROBE_MS, AFTER_MS));
  return {
    n,
    name,
    agentId,
    joinedAt,
    breakerSeenOpenAt,
    finalState: isolated.state,
    finalFailures: isolated.health.consecutive_failures,
    quarantineBy: isolated.health.quarantine?.by ?? null,
    probeState: (await readTask(server.api, ids.get('probe')!)).state,
  };
}

/** One failing agent at a time joins a stream of `q-work` tasks; waits for the stream to finish. */
export async function runFailing(
  server: ChaosServer,
  flaky: AgentProcess,
  ctx: ChaosContext,
  count: number,
): Promise<FailingPhase> {
  const work = readyStream(server.api, QUEUE_TARGET, 'quarantine stream', (i) => ({
    name: `w${i}`,
    skills: ['q-work'],
    input: { mode: 'work', ms: ctx.random.int(20, 40) },
  }));
  await sleep(300);
  const trials: Omit<FailingTrial, 'runs'>[] = [];
  for (let n = 0; n < count; n++) {
    trials.push(await failingTrial(server, flaky, n));
    ctx.progress(`keeps failing ${n + 1}/${count}`);
  }
  const streamed = await work.stop();
  const settled = await until(
    async () => {
      const tasks = (await readAllTasks(server.api)).filter((t) => streamed.has(t.id));
      return tasks.every((t) => ['succeeded', 'dead', 'cancelled', 'skipped'].includes(t.state))
        ? tasks
        : undefined;
    },
    30_000,
    'the stream tasks to finish',
  );
  return { trials, streamed, settled };
}

/**
 * The trials with their runs and verdicts, and per trial the stream tasks healthy agents were
 * leased in the AFTER_MS after its quarantine (the stream went on).
 */
export function judgeFailingPhase(
  phase: FailingPhase,
  events: readonly LogEvent[],
  runs: readonly Execution[],
): { failing: FailingTrial[]; leasedAfter: number[] } {
  const failing: FailingTrial[] = phase.trials.map((t) => ({
    ...t,
    runs: runs.filter((r) => r.agent === t.name).length,
    verdict: judgeFailing(events, t.agentId, RULES),
  }));
  const leasedAfter = failing.map((t) => {
    const q = t.verdict?.quarantine;
    return events.filter(
      (e) =>
        q &&
        e.kind === 'task.assigned' &&
        e.seq > q.seq &&
        e.at <= q.at + AFTER_MS &&
        e.taskId !== null &&
        phase.streamed.has(e.taskId),
    ).length;
  });
  return { failing, leasedAfter };
}

export function failingViolations(t: FailingTrial): string[] {
  const v = t.verdict!;
  const id = `keeps-failing trial ${t.n} (${t.name})`;
  const out: string[] = [];
  if (!v.quarantine) return [`${id}: no quarantine event in the log`];
  if (v.quarantine.trigger !== 'consecutive_failures')
    out.push(`${id}: quarantined for ${String(v.quarantine.trigger)}, not consecutive_failures`);
  if (v.failures !== RULES.quarantineThreshold)
    out.push(`${id}: ${v.failures} failures before the quarantine, expected ${RULES.quarantineThreshold}`);
  if (t.finalFailures !== RULES.quarantineThreshold)
    out.push(`${id}: the API shows ${t.finalFailures} consecutive failures`);
  if (t.runs !== v.failures) out.push(`${id}: its handler ran ${t.runs} times for ${v.failures} failures`);
  if (!v.sameTransaction)
    out.push(`${id}: the threshold failure and the quarantine were not logged by one transaction`);
  if (v.leases !== v.failures) out.push(`${id}: ${v.leases} leases for ${v.failures} failures`);
  if (v.leasesBetween > 0)
    out.push(`${id}: ${v.leasesBetween} lease(s) granted between the threshold failure and the quarantine`);
  if (v.leasesAfter > 0) out.push(`${id}: ${v.leasesAfter} lease(s) granted after the quarantine`);
  if (v.failuresAfter > 0) out.push(`${id}: ${v.failuresAfter} failure(s) recorded after the quarantine`);
  for (const wait of v.breakerWaits.filter((w) => w < RULES.cooldownMs))
    out.push(
      `${id}: leased ${wait} ms after a failure with its breaker open (cool-down ${RULES.cooldownMs})`,
    );
  if (t.breakerSeenOpenAt !== RULES.breakerThreshold)
    out.push(`${id}: its breaker was first seen open at ${t.breakerSeenOpenAt} failures`);
  if (t.finalState !== 'quarantined' || t.quarantineBy !== 'system')
    out.push(`${id}: the API shows it ${t.finalState}, quarantined by ${t.quarantineBy}`);
  if (t.probeState !== 'ready') out.push(`${id}: the task only it could take is ${t.probeState}`);
  return out;
}
