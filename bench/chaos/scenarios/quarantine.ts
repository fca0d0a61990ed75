// Quarantine: an agent that keeps failing, or that sends a forged frame, is isolated at once and
// gets no lease afterwards, while the healthy fleet carries the work. Two kinds of trial, each in
// its own module: an agent whose handler keeps failing under a stream of tasks
// (quarantine-failing.ts), and an agent that sends a forged frame while holding a lease
// (quarantine-forged.ts). This scenario runs both on one orchestrator and assembles their figures.
//
// Evidence: the event log (by seq), the agents as GET /orchestration/agents shows them, the task
// states, and the failing agents' own execution records.
import { percentile } from '../../src/stats.ts';
import { AgentProcess } from '../agents.ts';
import { readEvents, type TaskView } from '../event-log.ts';
import { FORGERIES, ForgerProcess } from '../forger.ts';
import { ChaosServer, type ConfigSections } from '../orchestrator.ts';
import { readExecutions } from '../records.ts';
import type { ChaosContext, Figure, Scenario, ScenarioResult } from '../scenario.ts';
import { within } from '../timing.ts';
import {
  AFTER_MS,
  failingViolations,
  judgeFailingPhase,
  RULES,
  runFailing,
  type FailingTrial,
} from './quarantine-failing.ts';
import { forgedViolations, judgeForged, runForged, type ForgedTrial } from './quarantine-forged.ts';

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

/** The keeps-failing figures, then the stream's. */
function failingFigures(
  failing: readonly FailingTrial[],
  leasedAfter: readonly number[],
  settled: readonly TaskView[],
  lost: readonly TaskView[],
): Figure[] {
  const fv = failing.map((t) => t.verdict!);
  const toQuarantine = fv.flatMap((v, i) => (v.quarantine ? [v.quarantine.at - failing[i]!.joinedAt] : []));
  const waits = fv.flatMap((v) => v.breakerWaits);
  const failingOk = failing.filter((t) => failingViolations(t).length === 0).length;
  const q = RULES.quarantineThreshold;
  return [
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
  ];
}

/** The forged-frame figures. */
function forgedFigures(forged: readonly ForgedTrial[]): Figure[] {
  const gv = forged.map((t) => t.verdict!);
  const toQuarantine = forged.flatMap((t) =>
    t.verdict?.quarantine ? [t.verdict.quarantine.at - t.sentAt] : [],
  );
  const toRescuer = forged.flatMap((t) =>
    t.verdict?.reassigned ? [t.verdict.reassigned.at - t.sentAt] : [],
  );
  const forgedOk = forged.filter((t) => forgedViolations(t).length === 0).length;
  return [
    {
      label: 'forged frame: quarantined, lease revoked and reassigned, every check held',
      value: forgedOk,
      unit: 'trials',
      bound: `= ${forged.length}`,
    },
    { label: 'forged frame → quarantine event p50', value: percentile(toQuarantine, 50), unit: 'ms' },
    { label: 'forged frame → quarantine event max', value: Math.max(...toQuarantine), unit: 'ms' },
    { label: 'forged frame → task leased to the rescuer max', value: Math.max(...toRescuer), unit: 'ms' },
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
    const phase = await runFailing(server, flaky, ctx, failingTrials);
    const forged = await runForged(server, forger, fleet, ctx, forgedTrials);

    const events = await readEvents(server.api);
    const { failing, leasedAfter } = judgeFailingPhase(phase, events, readExecutions([flaky.recordFile]));
    judgeForged(forged, events);
    const { settled } = phase;
    const lost = settled.filter((t) => t.state !== 'succeeded');
    return {
      size: `${failing.length} failing agents (breaker ${RULES.breakerThreshold} failures, cool-down ${RULES.cooldownMs} ms, quarantine at ${RULES.quarantineThreshold}) under a stream of ${settled.length} tasks on ${HEALTHY}×${HEALTHY_PARALLEL} healthy slots; ${forged.length} forged frames (${FORGERIES.join(', ')})`,
      figures: [...failingFigures(failing, leasedAfter, settled, lost), ...forgedFigures(forged)],
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
