// Quarantine: an agent that keeps failing, or that sends a forged frame, is isolated at once and
// gets no lease afterwards, while the healthy fleet carries the work.
//
// keeps failing — under a steady stream of tasks a healthy fleet runs, an agent process whose
// handler fails every task with a retryable error joins. Its breaker opens at
// breaker.failure_threshold failures and lets one probe through after each cool-down; the probes
// fail too, and the lifecycle.quarantine_threshold-th failure quarantines it in the transaction
// that records it (docs/agent-health.md), so no lease can slip in between. The stream keeps going
// for a while afterwards, and a task only it has the skill for is left waiting.
//
// forged frame — an agent speaking KLP by hand (forger-process.ts) holds a lease, proves its
// session sound, then sends one forged frame (bad signature, broken receipt chain, or another
// sender). The gateway refuses it with a security alert and quarantines the agent: its lease is
// revoked and the task goes to a rescuer; reconnecting with its real key is refused, and a task
// only it could take is left waiting.
//
// Evidence: the event log (by seq), the agents as GET /orchestration/agents shows them, the task
// states, and the failing agents' own execution records.
import { percentile } from '../../src/stats.ts';
import { AgentProcess } from '../agents.ts';
import { countByState, readAgentIds, readAllTasks, readEvents, readTask, submitDag } from '../event-log.ts';
import { FORGERIES, FORGERY_CODES, ForgerProcess, type Forgery } from '../forger.ts';
import type { ChaosResult } from '../ipc.ts';
import { ChaosServer, type ConfigSections } from '../orchestrator.ts';
import { judgeFailing, judgeForger, type FailingVerdict, type ForgerVerdict } from '../quarantine-checks.ts';
import { readExecutions } from '../records.ts';
import type { ChaosContext, Figure, Scenario, ScenarioResult } from '../scenario.ts';
import { sleep, within } from '../timing.ts';

/** Default breaker and quarantine thresholds; a short cool-down keeps a trial to about a second. */
const RULES = { breakerThreshold: 3, cooldownMs: 400, quarantineThreshold: 5 };
const CONFIG: ConfigSections = {
  breaker: { failure_threshold: RULES.breakerThreshold, cooldown_ms: RULES.cooldownMs },
  lifecycle: { quarantine_threshold: RULES.quarantineThreshold },
  // Trust settings are the defaults: four failures take trust below security.trust_threshold,
  // and the fifth lease comes as a half-open probe, which low trust does not bar (docs/chaos.md).
  // A task a failing agent failed is retried soon, by a healthy agent; 5 failures per failing
  // agent can never exhaust 10 attempts.
  retry: { max_attempts: 10, base_delay_ms: 20, max_delay_ms: 200 },
};
const HEALTHY = 3;
const HEALTHY_PARALLEL = 2;
/** Ready tasks the stream keeps queued, each running 20–40 ms. */
const QUEUE_TARGET = 8;
/** How long the stream keeps going once an agent is quarantined: several cool-downs. */
const AFTER_MS = 1500;
/** How long a task only the quarantined agent could take is watched for a lease. */
const PROBE_MS = 500;

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

async function until<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  return within(
    (async () => {
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        await sleep(20);
      }
    })(),
    ms,
    what,
  );
}

/** Keeps QUEUE_TARGET work tasks ready for skill `q-work` until stopped; answers their ids. */
function stream(server: ChaosServer, ctx: ChaosContext): { stop(): Promise<Set<string>> } {
  const ids = new Set<string>();
  let running = true;
  let goals = 0;
  const loop = (async () => {
    while (running) {
      const ready = (await countByState(server.api)).ready ?? 0;
      if (ready < QUEUE_TARGET) {
        const { ids: got } = await submitDag(
          server.api,
          `quarantine stream ${goals++}`,
          Array.from({ length: QUEUE_TARGET - ready }, (_, i) => ({
            name: `w${i}`,
            skills: ['q-work'],
            input: { mode: 'work', ms: ctx.random.int(20, 40) },
          })),
        );
        for (const id of got.values()) ids.add(id);
      }
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return ids;
    },
  };
}

interface FailingTrial {
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

interface ForgedTrial {
  n: number;
  forgery: Forgery;
  name: string;
  agentId: string;
  rescuerId: string;
  taskId: string;
  /** The leases a snapshot answered just before the forged frame. */
  held: string[] | null;
  sentAt: number;
  alert: string | null;
  closeCode: number | null;
  /** The answer to its reconnection with its real key (null: welcomed). */
  reconnect: string | null;
  storedBy: string | null;
  probeState: string;
  verdict?: ForgerVerdict;
}

async function forgedTrial(
  server: ChaosServer,
  forger: ForgerProcess,
  fleet: AgentProcess,
  n: number,
  forgery: Forgery,
): Promise<ForgedTrial> {
  const name = `forger-${n}`;
  const rescuer = `rescuer-${n}`;
  const skill = `forge-${n}`;
  const only = `forger-only-${n}`;
  const hello = await forger.connect(name, [skill, only]);
  if (!hello.agentId) throw new Error(`${name} was not welcomed: ${hello.code}`);
  const { ids } = await submitDag(server.api, `held by ${name}`, [
    { name: 'held', skills: [skill], input: { mode: 'work', ms: 10 } },
  ]);
  const taskId = ids.get('held')!;
  await within(forger.leased(taskId), 15_000, `${name} to be leased its task`);
  // The rescuer joins now: the task can only go to it once the forger's lease is revoked.
  await fleet.add([{ name: rescuer, skills: [skill], maxParallel: 1 }]);
  const forged = await forger.forge(name, forgery);
  const done = await until(
    async () => {
      const t = await readTask(server.api, taskId);
      return t.state === 'succeeded' ? t : undefined;
    },
    15_000,
    `${rescuer} to complete ${taskId}`,
  );
  const probe = await submitDag(server.api, `only ${name} could take this`, [
    { name: 'probe', skills: [only], input: { mode: 'work', ms: 10 } },
  ]);
  const again = await forger.connect(name, [skill, only]);
  await sleep(PROBE_MS);
  return {
    n,
    forgery,
    name,
    agentId: hello.agentId,
    rescuerId: (await readAgentIds(server.api)).get(rescuer) ?? '',
    taskId,
    held: forged.held,
    sentAt: forged.sentAt,
    alert: forged.alert,
    closeCode: forged.closeCode,
    reconnect: again.agentId ? null : again.code,
    storedBy: (done.result as ChaosResult | null)?.by ?? null,
    probeState: (await readTask(server.api, probe.ids.get('probe')!)).state,
  };
}

function failingViolations(t: FailingTrial): string[] {
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

function forgedViolations(t: ForgedTrial): string[] {
  const v = t.verdict!;
  const id = `forged-frame trial ${t.n} (${t.forgery}, ${t.name})`;
  const out: string[] = [];
  if (!t.held?.includes(t.taskId))
    out.push(`${id}: it did not hold its lease when it forged (held ${t.held})`);
  if (t.alert !== FORGERY_CODES[t.forgery])
    out.push(`${id}: the forged frame was answered with ${t.alert}, not ${FORGERY_CODES[t.forgery]}`);
  if (t.closeCode !== 4401) out.push(`${id}: the socket was closed with ${t.closeCode}, not 4401`);
  if (!v.alert || v.alert.code !== t.alert) out.push(`${id}: no matching security.alert event in the log`);
  if (!v.quarantine) return [...out, `${id}: no quarantine event in the log`];
  if (v.quarantine.trigger !== 'forged_frame')
    out.push(`${id}: quarantined for ${String(v.quarantine.trigger)}, not forged_frame`);
  if (v.alert && v.quarantine.seq < v.alert.seq) out.push(`${id}: quarantined before the alert`);
  if (v.between.length > 0) out.push(`${id}: events of the agent between alert and quarantine: ${v.between}`);
  if (!v.revoked) out.push(`${id}: its lease was not revoked for the quarantine`);
  if (!v.reassigned) out.push(`${id}: its task was not leased to the rescuer after the revocation`);
  if (v.successBy.length !== 1 || v.successBy[0] !== t.rescuerId)
    out.push(`${id}: successes by [${v.successBy.join(', ')}], expected the rescuer's only`);
  if (t.storedBy !== `rescuer-${t.n}`) out.push(`${id}: the stored result is by ${t.storedBy}`);
  if (t.reconnect !== 'KOS_ERR_AGENT_NOT_ACTIVE')
    out.push(`${id}: reconnecting with its key was answered ${t.reconnect ?? 'welcome'}`);
  if (v.leasesAfter > 0) out.push(`${id}: ${v.leasesAfter} lease(s) granted after the quarantine`);
  if (t.probeState !== 'ready') out.push(`${id}: the task only it could take is ${t.probeState}`);
  return out;
}

async function run(ctx: ChaosContext): Promise<ScenarioResult> {
  const failingTrials = ctx.quick ? 2 : 5;
  const forgedTrials = ctx.quick ? FORGERIES.length : 2 * FORGERIES.length;
  const server = await ChaosServer.start(CONFIG);
  const fleet = await AgentProcess.spawn(server.agentConfig, ctx.workDir, 'quarantine-fleet');
  const flaky = await AgentProcess.spawn(server.agentConfig, ctx.workDir, 'quarantine-flaky');
  const forger = await ForgerProcess.spawn(server.agentConfig);
  try {
    await fleet.add(
      Array.from({ length: HEALTHY }, (_, i) => ({
        name: `healthy-${i}`,
        skills: ['q-work'],
        maxParallel: HEALTHY_PARALLEL,
      })),
    );

    // Keeps failing: one failing agent at a time joins the stream.
    const work = stream(server, ctx);
    await sleep(300);
    const partial: Omit<FailingTrial, 'runs'>[] = [];
    for (let n = 0; n < failingTrials; n++) {
      partial.push(await failingTrial(server, flaky, n));
      ctx.progress(`keeps failing ${n + 1}/${failingTrials}`);
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

    // Forged frames, one kind after the other.
    const forged: ForgedTrial[] = [];
    for (let n = 0; n < forgedTrials; n++) {
      forged.push(await forgedTrial(server, forger, fleet, n, FORGERIES[n % FORGERIES.length]!));
      ctx.progress(`forged frame ${n + 1}/${forgedTrials}`);
    }

    const events = await readEvents(server.api);
    const runs = readExecutions([flaky.recordFile]);
    const failing: FailingTrial[] = partial.map((t) => ({
      ...t,
      runs: runs.filter((r) => r.agent === t.name).length,
      verdict: judgeFailing(events, t.agentId, RULES),
    }));
    for (const t of forged) t.verdict = judgeForger(events, t.agentId, t.taskId, t.rescuerId);
    const lost = settled.filter((t) => t.state !== 'succeeded');
    // The stream went on after each quarantine: what healthy agents were leased meanwhile.
    const leasedAfter = failing.map((t) => {
      const q = t.verdict?.quarantine;
      return events.filter(
        (e) =>
          q &&
          e.kind === 'task.assigned' &&
          e.seq > q.seq &&
          e.at <= q.at + AFTER_MS &&
          e.taskId !== null &&
          streamed.has(e.taskId),
      ).length;
    });

    const fv = failing.map((t) => t.verdict!);
    const toQuarantine = fv.flatMap((v, i) => (v.quarantine ? [v.quarantine.at - failing[i]!.joinedAt] : []));
    const waits = fv.flatMap((v) => v.breakerWaits);
    const gv = forged.map((t) => t.verdict!);
    const forgedToQuarantine = forged.flatMap((t) =>
      t.verdict?.quarantine ? [t.verdict.quarantine.at - t.sentAt] : [],
    );
    const forgedToRescuer = forged.flatMap((t) =>
      t.verdict?.reassigned ? [t.verdict.reassigned.at - t.sentAt] : [],
    );
    const failingOk = failing.filter((t) => failingViolations(t).length === 0).length;
    const forgedOk = forged.filter((t) => forgedViolations(t).length === 0).length;
    const q = RULES.quarantineThreshold;
    const figures: Figure[] = [
      {
        label: 'keeps failing: quarantined, every check held',
        value: failingOk,
        unit: 'trials',
        bound: `= ${failing.length}`,
      },
      {
        label: 'keeps failing: failures before quarantine (min)',
        value: Math.min(...fv.map((v) => v.failures)),
        unit: 'failures',
        bound: `= ${q} (quarantine_threshold)`,
      },
      {
        label: 'keeps failing: failures before quarantine (max)',
        value: Math.max(...fv.map((v) => v.failures)),
        unit: 'failures',
        bound: `= ${q}`,
      },
      {
        label: 'keeps failing: breaker first seen open at (max)',
        value: Math.max(...failing.map((t) => t.breakerSeenOpenAt ?? Number.NaN)),
        unit: 'failures',
        bound: `= ${RULES.breakerThreshold} (failure_threshold)`,
      },
      {
        label: 'keeps failing: open breaker, failure → next lease (min)',
        value: Math.min(...waits),
        unit: 'ms',
        bound: `≥ ${RULES.cooldownMs} ms (cooldown_ms)`,
      },
      {
        label: 'keeps failing: leases between threshold failure and quarantine',
        value: fv.reduce((s, v) => s + v.leasesBetween, 0),
        unit: 'leases',
        bound: '= 0',
      },
      {
        label: 'keeps failing: threshold failure and quarantine in one transaction',
        value: fv.filter((v) => v.sameTransaction).length,
        unit: 'trials',
        bound: `= ${failing.length}`,
      },
      {
        label: 'keeps failing: leases to it after quarantine',
        value: fv.reduce((s, v) => s + v.leasesAfter, 0),
        unit: 'leases',
        bound: '= 0',
      },
      { label: 'keeps failing: joined → quarantined p50', value: percentile(toQuarantine, 50), unit: 'ms' },
      {
        label: `stream tasks leased in the ${AFTER_MS} ms after a quarantine (min)`,
        value: Math.min(...leasedAfter),
        unit: 'leases',
      },
      { label: 'stream tasks lost', value: lost.length, unit: `of ${settled.length}`, bound: '= 0' },
      {
        label: 'forged frame: quarantined, lease revoked and reassigned, every check held',
        value: forgedOk,
        unit: 'trials',
        bound: `= ${forged.length}`,
      },
      { label: 'forged frame → quarantine event p50', value: percentile(forgedToQuarantine, 50), unit: 'ms' },
      { label: 'forged frame → quarantine event max', value: Math.max(...forgedToQuarantine), unit: 'ms' },
      {
        label: 'forged frame → task leased to the rescuer max',
        value: Math.max(...forgedToRescuer),
        unit: 'ms',
      },
      {
        label: 'forged frame: reconnections refused (KOS_ERR_AGENT_NOT_ACTIVE)',
        value: forged.filter((t) => t.reconnect === 'KOS_ERR_AGENT_NOT_ACTIVE').length,
        unit: 'trials',
        bound: `= ${forged.length}`,
      },
      {
        label: 'forged frame: leases to it after quarantine',
        value: gv.reduce((s, v) => s + v.leasesAfter, 0),
        unit: 'leases',
        bound: '= 0',
      },
    ];
    return {
      size: `${failing.length} failing agents (breaker ${RULES.breakerThreshold} failures, cool-down ${RULES.cooldownMs} ms, quarantine at ${q}) under a stream of ${settled.length} tasks on ${HEALTHY}×${HEALTHY_PARALLEL} healthy slots; ${forged.length} forged frames (${FORGERIES.join(', ')})`,
      figures,
      violations: [
        ...failing.flatMap(failingViolations),
        ...forged.flatMap(forgedViolations),
        ...lost.map((t) => `stream task ${t.id} ended ${t.state}`),
      ],
      details: { rules: RULES, config: CONFIG, failing, leasedAfter, forged, streamTasks: settled.length },
    };
  } finally {
    await forger.stop();
    await Promise.all(
      [fleet, flaky].map((p) => within(p.stop(), 10_000, 'an agent process to stop').catch(() => p.kill())),
    );
    await server.stop();
  }
}

export const quarantine: Scenario = {
  name: 'quarantine',
  summary:
    'an agent that keeps failing, or sends a forged frame, is quarantined at once (no lease in between) and gets 0 leases afterwards; no task is lost',
  run,
};
