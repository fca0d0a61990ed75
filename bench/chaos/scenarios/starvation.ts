// Starvation: a steady stream of critical tasks keeps every agent slot busy, and a high, a medium
// and a low task arrive together. Without aging they would never run; with it a task of level L
// (high 1, medium 2, low 3) overtakes every critical task that became ready more than
// L × scheduler.aging_step_ms after it (scheduler/ready-key.ts). Checked per probe:
// - order: no critical task that became ready more than L steps after it was leased before it;
// - time: it waited at most L steps, plus draining the critical backlog already queued (the
//   stream keeps it at QUEUE_TARGET), plus one task, plus a stated slack;
// - the stream did saturate: it waited at least ~L steps (else the check proves nothing).
import { AgentProcess } from '../agents.ts';
import { countByState, readAllTasks, readEvents, readTask, submitDag } from '../event-log.ts';
import { ChaosServer } from '../orchestrator.ts';
import { readyStream } from '../ready-stream.ts';
import type { ChaosContext, Scenario, ScenarioResult } from '../scenario.ts';
import { sleep, within } from '../timing.ts';

const AGENTS = 2;
const MAX_PARALLEL = 2;
const SLOTS = AGENTS * MAX_PARALLEL;
const TASK_MS = 100;
/** Ready critical tasks the stream keeps queued: enough that a slow poll never empties it. */
const QUEUE_TARGET = 16;
const SLACK_MS = 250;
const PROBES = [
  { priority: 'high', level: 1 },
  { priority: 'medium', level: 2 },
  { priority: 'low', level: 3 },
] as const;

/** Keeps QUEUE_TARGET critical tasks ready until stopped; answers the ids it submitted. */
const criticalStream = (server: ChaosServer) =>
  readyStream(server.api, QUEUE_TARGET, 'critical stream', (i) => ({
    name: `c${i}`,
    skills: ['busy'],
    priority: 'critical',
    input: { mode: 'work', ms: TASK_MS },
  }));

async function run(ctx: ChaosContext): Promise<ScenarioResult> {
  const stepMs = ctx.quick ? 500 : 1000;
  const trials = ctx.quick ? 1 : 3;
  const server = await ChaosServer.start({ scheduler: { aging_step_ms: stepMs } });
  const agents = await AgentProcess.spawn(server.agentConfig, ctx.workDir, 'starvation');
  try {
    await agents.add(
      Array.from({ length: AGENTS }, (_, i) => ({
        name: `busy-${i}`,
        skills: ['busy'],
        maxParallel: MAX_PARALLEL,
      })),
    );
    const stream = criticalStream(server);
    await sleep(1000); // the stream fills every slot
    const probes: { trial: number; priority: string; level: number; id: string; queued: number }[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const queued = (await countByState(server.api)).ready ?? 0;
      const { ids } = await submitDag(
        server.api,
        `starvation probes ${trial}`,
        PROBES.map((p) => ({
          name: p.priority,
          skills: ['busy'],
          priority: p.priority,
          input: { mode: 'work', ms: TASK_MS },
        })),
      );
      const mine = PROBES.map((p) => ({ trial, ...p, id: ids.get(p.priority)!, queued }));
      probes.push(...mine);
      await within(
        (async () => {
          while (
            (await Promise.all(mine.map((p) => readTask(server.api, p.id)))).some(
              (t) => t.state !== 'succeeded',
            )
          )
            await sleep(50);
        })(),
        3 * stepMs + 30_000,
        'the probes to run',
      );
      ctx.progress(`trial ${trial + 1}/${trials}`);
    }
    const critical = await stream.stop();

    const events = await readEvents(server.api);
    const tasks = new Map((await readAllTasks(server.api)).map((t) => [t.id, t]));
    const firstLease = new Map<string, { seq: number; at: number }>();
    for (const e of events) {
      if (e.kind === 'task.assigned' && e.taskId && !firstLease.has(e.taskId)) firstLease.set(e.taskId, e);
    }
    const violations: string[] = [];
    const rows = probes.map((p) => {
      const readyAt = Date.parse(tasks.get(p.id)?.available_at ?? '');
      const lease = firstLease.get(p.id);
      const waitMs = lease ? lease.at - readyAt : Number.NaN;
      const boundMs = p.level * stepMs + (p.queued / SLOTS + 1) * TASK_MS + SLACK_MS;
      let ranAhead = 0;
      let overtook = 0;
      for (const id of critical) {
        const c = firstLease.get(id);
        const cReady = Date.parse(tasks.get(id)?.available_at ?? '');
        if (!c || !lease || c.seq > lease.seq) continue;
        if (c.at >= readyAt) ranAhead++;
        if (cReady > readyAt + p.level * stepMs) overtook++;
      }
      const id = `trial ${p.trial} ${p.priority} (task ${p.id})`;
      if (!(waitMs <= boundMs)) violations.push(`${id}: waited ${waitMs} ms, bound ${boundMs} ms`);
      if (overtook > 0)
        violations.push(
          `${id}: ${overtook} critical task(s) that became ready more than ${p.level} aging step(s) later ran first`,
        );
      if (!(waitMs >= 0.9 * p.level * stepMs))
        violations.push(
          `${id}: waited only ${waitMs} ms: the critical stream did not saturate the agents, so this trial proves nothing`,
        );
      return { ...p, waitMs, boundMs, ranAhead, overtook };
    });

    const figures = PROBES.flatMap((probe) => {
      const mine = rows.filter((r) => r.priority === probe.priority);
      const worst = mine.reduce((a, b) => (b.waitMs > a.waitMs ? b : a));
      return [
        {
          label: `${probe.priority} task wait, worst of ${mine.length} (bound: ${probe.level} aging step${probe.level > 1 ? 's' : ''} + backlog)`,
          value: worst.waitMs,
          unit: 'ms',
          bound: `≤ ${Math.round(worst.boundMs)} ms`,
        },
        {
          label: `${probe.priority}: critical tasks run ahead of it (max)`,
          value: Math.max(...mine.map((r) => r.ranAhead)),
          unit: 'tasks',
        },
      ];
    });
    figures.push({
      label: 'critical tasks that overtook a probe beyond its aging bound',
      value: rows.reduce((n, r) => n + r.overtook, 0),
      unit: 'tasks',
      bound: '= 0',
    });
    return {
      size: `${trials} trial(s): high + medium + low submitted together under a critical stream (${QUEUE_TARGET} queued, ${TASK_MS} ms tasks, ${SLOTS} slots); aging step ${stepMs} ms; bound = level × step + (queued ÷ slots + 1) × task + ${SLACK_MS} ms`,
      figures,
      violations,
      details: { stepMs, criticalTasks: critical.size, probes: rows },
    };
  } finally {
    await agents.stop();
    await server.stop();
  }
}

export const starvation: Scenario = {
  name: 'starvation',
  summary:
    'under a steady stream of critical tasks, high/medium/low tasks still run within their aging bound',
  run,
};
