// kill -9 of an agent process in the middle of a task, many times: the task must be leased to
// another agent within the lease TTL plus one sweep interval (plus a stated slack), every time.
// Each trial is its own agent process (one SDK agent) holding one task no one else can take
// until a rescuer agent with its skill joins, just before the kill. Trials run in concurrent
// batches; the kill moments within a batch are random and independent.
import { percentile } from '../../src/stats.ts';
import { AgentProcess } from '../agents.ts';
import { readEvents, submitDag, type LogEvent } from '../event-log.ts';
import { ChaosServer } from '../orchestrator.ts';
import type { ChaosContext, Scenario, ScenarioResult } from '../scenario.ts';
import { sleep, within } from '../timing.ts';
import {
  FAST_LEASES,
  LEASE_TTL_MS,
  REASSIGN_BOUND_MS,
  SCHEDULING_SLACK_MS,
  SWEEP_INTERVAL_MS,
} from './fast-leases.ts';

const BATCH = 10;
/** The kill lands at a random moment up to this long after the task started. */
const MAX_KILL_DELAY_MS = 600;

interface Trial {
  n: number;
  victim: string;
  taskId: string;
  epoch: number;
  killedAt: number;
}

/** What the log says happened to a trial's task after its agent was killed. */
function judge(trial: Trial, events: readonly LogEvent[], agentId: (name: string) => string | undefined) {
  const mine = events.filter((e) => e.taskId === trial.taskId);
  const victimId = agentId(trial.victim);
  const revoked = mine.find((e) => e.kind === 'task.lease_revoked' && e.data.epoch === trial.epoch);
  const reassigned = mine.find(
    (e) => e.kind === 'task.assigned' && (e.data.epoch as number) > trial.epoch && e.agentId !== victimId,
  );
  const succeeded = mine.filter((e) => e.kind === 'task.state' && e.data.to === 'succeeded');
  return {
    reassignMs: reassigned ? reassigned.at - trial.killedAt : null,
    revokedBeforeKill: revoked !== undefined && revoked.at < trial.killedAt,
    reason: (revoked?.data.reason as string | undefined) ?? null,
    successes: succeeded.length,
    succeededByOther: succeeded.length === 1 && succeeded[0]?.agentId !== victimId,
  };
}

async function run(ctx: ChaosContext): Promise<ScenarioResult> {
  const trials = ctx.quick ? 10 : 100;
  const server = await ChaosServer.start(FAST_LEASES);
  const done: Trial[] = [];
  const spawned: AgentProcess[] = [];
  try {
    const rescuers = await AgentProcess.spawn(server.agentConfig, ctx.workDir, 'akill-rescuers');
    spawned.push(rescuers);
    for (let first = 0; first < trials; first += BATCH) {
      const ns = Array.from({ length: Math.min(BATCH, trials - first) }, (_, i) => first + i);
      // One process per trial, all started before any kill so no start-up competes with the
      // timing being measured.
      const victims = await Promise.all(
        ns.map(async (n) => {
          const proc = await AgentProcess.spawn(server.agentConfig, ctx.workDir, `akill-victim-${n}`);
          spawned.push(proc);
          await proc.add([{ name: `victim-${n}`, skills: [`kill-${n}`], maxParallel: 1 }]);
          return proc;
        }),
      );
      const { ids } = await submitDag(
        server.api,
        `agent-kill batch ${first / BATCH}`,
        ns.map((n) => ({
          name: `t${n}`,
          skills: [`kill-${n}`],
          input: { mode: 'hold', holder: `victim-${n}` },
        })),
      );
      const started = await within(
        Promise.all(ns.map((n, i) => victims[i]!.started(ids.get(`t${n}`)!))),
        30_000,
        'the victims to start their tasks',
      );
      await rescuers.add([
        { name: `rescuer-${first / BATCH}`, skills: ns.map((n) => `kill-${n}`), maxParallel: BATCH },
      ]);
      const batch = await Promise.all(
        ns.map(async (n, i): Promise<Trial> => {
          await sleep(ctx.random.int(0, MAX_KILL_DELAY_MS));
          const killedAt = Date.now();
          await victims[i]!.kill();
          const s = started[i]!;
          return { n, victim: `victim-${n}`, taskId: s.task, epoch: s.epoch, killedAt };
        }),
      );
      // The rescuer runs each task to the end; wait for all of them.
      await within(
        Promise.all(batch.map((t) => rescuers.started(t.taskId))),
        REASSIGN_BOUND_MS * 10,
        'the rescuer to receive every task',
      );
      done.push(...batch);
      ctx.progress(`${done.length}/${trials} agents killed`);
    }
    await sleep(500); // let the rescuers' results land before reading the log
    const events = await readEvents(server.api);
    const agents = (await server.api.get<{ agents: { id: string; name: string }[] }>('/orchestration/agents'))
      .body.agents;
    const idOf = (name: string) => agents.find((a) => a.name === name)?.id;
    const judged = done.map((t) => ({ trial: t, ...judge(t, events, idOf) }));

    const times = judged.flatMap((j) => (j.reassignMs === null ? [] : [j.reassignMs]));
    const violations: string[] = [];
    for (const j of judged) {
      const id = `trial ${j.trial.n} (task ${j.trial.taskId})`;
      if (j.reassignMs === null) violations.push(`${id}: never reassigned`);
      else if (j.reassignMs > REASSIGN_BOUND_MS)
        violations.push(`${id}: reassigned ${j.reassignMs} ms after the kill`);
      if (j.revokedBeforeKill)
        violations.push(`${id}: the live agent lost its lease before the kill (trial proves nothing)`);
      if (j.successes !== 1 || !j.succeededByOther)
        violations.push(`${id}: ${j.successes} successes, by the rescuer: ${j.succeededByOther}`);
    }
    const reasons = new Map<string, number>();
    for (const j of judged) reasons.set(j.reason ?? 'none', (reasons.get(j.reason ?? 'none') ?? 0) + 1);
    const bound = `≤ ${REASSIGN_BOUND_MS} ms (TTL ${LEASE_TTL_MS} + sweep ${SWEEP_INTERVAL_MS} + slack ${SCHEDULING_SLACK_MS})`;
    return {
      size: `${trials} trials (one agent process each, batches of ${BATCH}); lease TTL ${LEASE_TTL_MS} ms, sweep ${SWEEP_INTERVAL_MS} ms, heartbeat every ~${Math.floor(LEASE_TTL_MS / 3)} ms`,
      figures: [
        { label: 'agents killed mid-task', value: done.length, unit: 'trials' },
        {
          label: 'reassigned within the bound',
          value: times.filter((t) => t <= REASSIGN_BOUND_MS).length,
          unit: 'trials',
          bound: `= ${trials}`,
        },
        { label: 'kill → leased to another agent p50', value: percentile(times, 50), unit: 'ms', bound },
        { label: 'kill → leased to another agent p99', value: percentile(times, 99), unit: 'ms', bound },
        { label: 'kill → leased to another agent max', value: Math.max(...times), unit: 'ms', bound },
      ],
      violations,
      details: {
        revocationReasons: Object.fromEntries(reasons),
        trials: judged.map((j) => ({ n: j.trial.n, reassignMs: j.reassignMs, reason: j.reason })),
      },
    };
  } finally {
    await Promise.all(spawned.filter((p) => p.alive).map((p) => p.kill()));
    await server.stop();
  }
}

export const agentKill: Scenario = {
  name: 'agent-kill',
  summary:
    'kill -9 an agent process mid-task: its task is leased to another agent within lease TTL + one sweep, every time',
  run,
};
