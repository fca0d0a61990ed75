// Zombie agents: an agent that goes silent past its lease TTL while holding a task, then comes
// back and completes it. Two ways to go silent: the whole process frozen with SIGSTOP (then
// SIGCONT), and a handler that blocks its own event loop (heartbeats stop, the socket stays
// open). Meanwhile the lease is revoked and a rescuer completes the task.
//
// The zombie's handler is computing (a synchronous section) when it goes silent, so when it comes
// back its result goes out before it reads anything from the socket: the orchestrator's fence is
// all that stands between the late result and the store. (Frozen while awaiting instead, it may
// read the rollback the orchestrator sent at revocation first and drop the result itself — the
// SDK's fence — and the late completion is never sent.)
//
// Evidence, from the orchestrator's side: the late TASK_RESULT did arrive — its receipt is in the
// log (a `klp.receipts` event of the zombie's agent covering a result; each zombie agent only
// ever held this one task) — and was not applied: the task has one success, the rescuer's, and
// the rescuer's result. The refusal's code (KOS_ERR_STALE_EPOCH) is not visible here: the SDK
// reads the rollback right after sending, drops the task, and then ignores the answer to its
// result (agent work.ts `deliver`), so it never logs the code. Were it to report the result as
// acknowledged, or refused with another code, the trial fails.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { percentile } from '../../src/stats.ts';
import { AgentProcess } from '../agents.ts';
import { readAgentIds, readEvents, readTask, submitDag, type LogEvent } from '../event-log.ts';
import type { ChaosResult } from '../ipc.ts';
import { ChaosServer } from '../orchestrator.ts';
import type { ChaosContext, Scenario, ScenarioResult } from '../scenario.ts';
import { until, within } from '../timing.ts';
import { FAST_LEASES, REASSIGN_BOUND_MS } from './fast-leases.ts';

const VARIANTS = ['sigstop', 'blocked-loop'] as const;
type Variant = (typeof VARIANTS)[number];

/** Codes that mean "this lease is not yours any more" (agent SDK remote-error.ts). */
const LEASE_LOST = new Set(['KOS_ERR_STALE_EPOCH', 'KOS_ERR_NOT_LEASE_HOLDER', 'KOS_ERR_TASK_NOT_ACTIVE']);

interface TrialOutcome {
  variant: Variant;
  n: number;
  taskId: string;
  /** How long the zombie was silent (stopped or blocked), ms. */
  silentMs: number;
  /** Silence began (SIGSTOP, or the handler blocking) → task leased to the rescuer, ms. */
  reassignMs: number;
  /** `aborted`: the SDK had read the rollback and aborted the handler before it returned. */
  handler: 'returned' | 'aborted';
  /** The orchestrator logged a receipt for a result from the zombie after it came back. */
  lateResultReceived: boolean;
  /** What the SDK reported about the late result, if anything. */
  sdk: { delivered: boolean; code: string | null } | null;
  storedBy: string | null;
  /** Agents whose result the log records as the task's success. */
  successBy: (string | null)[];
}

const coversAResult = (e: LogEvent) => e.kind === 'klp.receipts' && Number(e.data.covered) > 0;

async function trial(
  ctx: ChaosContext,
  server: ChaosServer,
  zombies: AgentProcess,
  rescuers: AgentProcess,
  variant: Variant,
  n: number,
): Promise<TrialOutcome> {
  const zombie = `zombie-${variant}-${n}`;
  const rescuer = `rescuer-${variant}-${n}`;
  const skill = `z-${variant}-${n}`;
  const release = path.join(ctx.workDir, `release-${variant}-${n}`);
  await zombies.add([{ name: zombie, skills: [skill], maxParallel: 1 }]);
  const { ids } = await submitDag(server.api, `zombie ${variant} ${n}`, [
    {
      name: 'late',
      skills: [skill],
      input: { mode: 'block', holder: zombie, release },
    },
  ]);
  const taskId = ids.get('late')!;
  const started = await within(zombies.started(taskId), 15_000, `${zombie} to start its task`);
  // A blocking handler went silent when it started; a frozen one when SIGSTOP lands.
  const silentFrom = variant === 'sigstop' ? Date.now() : started.at;
  if (variant === 'sigstop') zombies.signal('SIGSTOP');
  // The rescuer joins now, so the task can only go to it once the zombie's lease is revoked.
  await rescuers.add([{ name: rescuer, skills: [skill], maxParallel: 1 }]);
  await until(
    async () => ((await readTask(server.api, taskId)).state === 'succeeded' ? true : undefined),
    REASSIGN_BOUND_MS * 10,
    `the rescuer to complete ${taskId}`,
  );
  writeFileSync(release, '');
  if (variant === 'sigstop') zombies.signal('SIGCONT');
  const silentMs = Date.now() - silentFrom;

  const zombieId = (await readAgentIds(server.api)).get(zombie);
  const ended = await within(zombies.ended(taskId, zombie), 15_000, `${zombie}'s handler to return`);
  const receipt = await until(
    async () => (await readEvents(server.api, { agentId: zombieId ?? '-' })).find(coversAResult),
    5_000,
    `a receipt for ${zombie}'s late result`,
  ).catch(() => undefined);
  const final = await readTask(server.api, taskId);
  const events = await readEvents(server.api, { taskId });
  const names = new Map([...(await readAgentIds(server.api))].map(([name, id]) => [id, name]));
  const reassigned = events.find(
    (e) => e.kind === 'task.assigned' && (e.data.epoch as number) > started.epoch,
  );
  const sdk = zombies.resultsOf(taskId, zombie)[0];
  return {
    variant,
    n,
    taskId,
    silentMs,
    reassignMs: reassigned ? reassigned.at - silentFrom : Number.NaN,
    handler: ended.outcome,
    lateResultReceived: receipt !== undefined,
    sdk: sdk ? { delivered: sdk.delivered, code: sdk.code } : null,
    storedBy: (final.result as ChaosResult | null)?.by ?? null,
    successBy: events
      .filter((e) => e.kind === 'task.state' && e.data.to === 'succeeded')
      .map((e) => names.get(e.agentId ?? '') ?? e.agentId),
  };
}

function violationsOf(o: TrialOutcome): string[] {
  const id = `${o.variant} trial ${o.n} (task ${o.taskId})`;
  const rescuer = `rescuer-${o.variant}-${o.n}`;
  const out: string[] = [];
  if (!o.lateResultReceived)
    out.push(`${id}: the zombie's late result never reached the orchestrator (no receipt)`);
  if (o.sdk?.delivered) out.push(`${id}: the orchestrator ACKNOWLEDGED the zombie's late result`);
  if (o.sdk && !o.sdk.delivered && !LEASE_LOST.has(o.sdk.code ?? ''))
    out.push(`${id}: late result refused with ${o.sdk.code}, not a lease-lost code`);
  if (o.storedBy !== rescuer) out.push(`${id}: the stored result is by ${o.storedBy}, not ${rescuer}`);
  if (o.successBy.length !== 1 || o.successBy[0] !== rescuer)
    out.push(`${id}: successes in the log by [${o.successBy.join(', ')}], expected [${rescuer}]`);
  if (!(o.reassignMs <= REASSIGN_BOUND_MS))
    out.push(`${id}: reassigned ${o.reassignMs} ms after it went silent`);
  return out;
}

async function run(ctx: ChaosContext): Promise<ScenarioResult> {
  const perVariant = ctx.quick ? 2 : 5;
  const server = await ChaosServer.start(FAST_LEASES);
  const procs: AgentProcess[] = [];
  try {
    const rescuers = await AgentProcess.spawn(server.agentConfig, ctx.workDir, 'zombie-rescuers');
    procs.push(rescuers);
    // One zombie process per variant, its trials one after the other (a frozen or blocked
    // process freezes every agent in it); the two variants run side by side.
    const outcomes = (
      await Promise.all(
        VARIANTS.map(async (variant) => {
          const zombies = await AgentProcess.spawn(server.agentConfig, ctx.workDir, `zombie-${variant}`);
          procs.push(zombies);
          const out: TrialOutcome[] = [];
          for (let n = 0; n < perVariant; n++) {
            out.push(await trial(ctx, server, zombies, rescuers, variant, n));
            ctx.progress(`${variant} ${n + 1}/${perVariant}`);
          }
          return out;
        }),
      )
    ).flat();

    const sdkCodes = outcomes.flatMap((o) => (o.sdk?.code ? [o.sdk.code] : []));
    const figures = VARIANTS.flatMap((variant) => {
      const mine = outcomes.filter((o) => o.variant === variant);
      const refused = mine.filter((o) => violationsOf(o).length === 0).length;
      return [
        {
          label: `${variant}: late completions received and refused`,
          value: refused,
          unit: 'trials',
          bound: `= ${mine.length}`,
        },
        {
          label: `${variant}: zombie results applied`,
          value: mine.filter((o) => o.storedBy !== `rescuer-${variant}-${o.n}`).length,
          unit: 'trials',
          bound: '= 0',
        },
        {
          label: `${variant}: stopped / blocked for (p50)`,
          value: percentile(
            mine.map((o) => o.silentMs),
            50,
          ),
          unit: 'ms',
        },
        {
          label: `${variant}: silent → leased to the rescuer (max)`,
          value: Math.max(...mine.map((o) => o.reassignMs)),
          unit: 'ms',
          bound: `≤ ${REASSIGN_BOUND_MS} ms`,
        },
      ];
    });
    return {
      size: `${perVariant} trials per variant (SIGSTOP/SIGCONT mid-computation; a handler blocking its event loop); refusal codes reported by the SDK: ${sdkCodes.length ? sdkCodes.join(', ') : 'none'}`,
      figures,
      violations: outcomes.flatMap(violationsOf),
      details: { outcomes },
    };
  } finally {
    for (const p of procs) p.signal('SIGCONT');
    await Promise.all(
      procs.map((p) => within(p.stop(), 10_000, 'an agent process to stop').catch(() => p.kill())),
    );
    await server.stop();
  }
}

export const zombie: Scenario = {
  name: 'zombie',
  summary:
    'an agent silent past its TTL (SIGSTOP, or a blocked event loop) comes back and completes: the late completion is refused, the rescuer’s result stands',
  run,
};
