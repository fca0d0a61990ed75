// Quarantine, forged frame: an agent speaking KLP by hand (forger-process.ts) holds a lease,
// proves its session sound, then sends one forged frame (bad signature, broken receipt chain, or
// another sender). The gateway refuses it with a security alert and quarantines the agent: its
// lease is revoked and the task goes to a rescuer; reconnecting with its real key is refused, and
// a task only it could take is left waiting.
import type { AgentProcess } from '../agents.ts';
import { readAgentIds, readTask, submitDag, type LogEvent } from '../event-log.ts';
import { FORGERIES, FORGERY_CODES, type ForgerProcess, type Forgery } from '../forger.ts';
import type { ChaosResult } from '../ipc.ts';
import type { ChaosServer } from '../orchestrator.ts';
import { judgeForger, type ForgerVerdict } from '../quarantine-checks.ts';
import type { ChaosContext } from '../scenario.ts';
import { sleep, until, within } from '../timing.ts';
import { PROBE_MS } from './quarantine-failing.ts';

export interface ForgedTrial {
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

/** Forged frames, one kind after the other; rescuers join `fleet`. */
export async function runForged(
  server: ChaosServer,
  forger: ForgerProcess,
  fleet: AgentProcess,
  ctx: ChaosContext,
  count: number,
): Promise<ForgedTrial[]> {
  const forged: ForgedTrial[] = [];
  for (let n = 0; n < count; n++) {
    forged.push(await forgedTrial(server, forger, fleet, n, FORGERIES[n % FORGERIES.length]!));
    ctx.progress(`forged frame ${n + 1}/${count}`);
  }
  return forged;
}

/** Gives each trial its verdict from the log. */
export function judgeForged(forged: readonly ForgedTrial[], events: readonly LogEvent[]): void {
  for (const t of forged) t.verdict = judgeForger(events, t.agentId, t.taskId, t.rescuerId);
}

export function forgedViolations(t: ForgedTrial): string[] {
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
