/**
 * `kos serve --demo`: the example fleet (examples/fleet) as three agent processes speaking KLP to
 * the orchestrator, and one goal for them. Submitting and watching go through the REST API. The
 * agents keep serving further goals until `stop()`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { verifyReceipts } from '@kos/protocol/node';
import type { GoalState } from '@kos/contracts';
import type { KosClient } from '../client.ts';
import { shortId } from '../table.ts';
import { Fleet, FLEET_AGENTS } from './fleet.ts';
import { followGoal } from './goal-events.ts';

export interface DemoOptions {
  /** A client holding the admin token. */
  admin: KosClient;
  /** The server's data dir (its admin.token lets the agents mint their tokens). */
  dataDir: string;
  log: (line: string) => void;
  goal?: string;
  context?: string;
  /** How long the agents may take to connect (default 60 s). */
  connectTimeoutMs?: number;
  /** How long to wait for the results' receipts to be covered by signed heartbeats (default 20 s). */
  auditTimeoutMs?: number;
}

/** How the demo goal ended. */
export interface DemoOutcome {
  goalId: string;
  state: GoalState;
  reportPath: string | null;
  /** Results of the goal attributed to their agent's key so far. */
  attributed: number;
}

export interface Demo {
  fleet: Fleet;
  /** Settles when the goal has ended and the summary is printed; rejects if the demo could not run. */
  finished: Promise<DemoOutcome>;
  /** Stops the demo: the agents drain and exit. */
  stop(): Promise<void>;
}

export const DEMO_GOAL = 'analyze customer data trends';
export const DEMO_CONTEXT = 'Q4 2024';

export function startDemo(opts: DemoOptions): Demo {
  const { admin, log } = opts;
  const stopping = new AbortController();
  log(
    `demo: starting ${FLEET_AGENTS.length} agent processes (${FLEET_AGENTS.join(', ')}) from examples/fleet`,
  );
  const fleet = Fleet.spawn({ url: admin.url, dataDir: opts.dataDir, log });
  const finished = runGoal(opts, fleet, stopping.signal);
  finished.catch(() => undefined); // the caller may look later; this is not an unhandled rejection
  return {
    fleet,
    finished,
    async stop() {
      stopping.abort();
      await finished.catch(() => undefined);
      await fleet.stop();
    },
  };
}

async function runGoal(opts: DemoOptions, fleet: Fleet, signal: AbortSignal): Promise<DemoOutcome> {
  const { admin, log } = opts;
  await agentsConnected(admin, fleet, opts.connectTimeoutMs ?? 60_000, signal);
  log(`demo: ${fleet.members.length} agents connected over KLP`);

  const goal = opts.goal ?? DEMO_GOAL;
  const context = opts.context ?? DEMO_CONTEXT;
  const submitted = await admin.decompose({ goal, context });
  const id = submitted.goal_id;
  log(`demo: submitted "${goal}" (${context}) as goal ${id}, template ${submitted.goal.template}`);
  for (const m of submitted.feasibility.missing_skills) {
    log(`demo: warning: no agent has skill "${m.skill}" (needed by ${m.tasks.join(', ')})`);
  }
  for (const t of submitted.subtasks) log(`demo: task ${t.name} (${shortId(t.id)}) ${t.state}`);
  const final = await followGoal(admin, id, {
    taskNames: new Map(submitted.subtasks.map((t) => [t.id, t.name])),
    log: (l) => log(`demo: ${l}`),
    signal,
  });
  const report = join(opts.dataDir, 'reports', `${id}.md`);
  const reportPath = existsSync(report) ? report : null;
  log(
    [
      '',
      reportPath !== null ? `report: ${reportPath}` : 'report: not written (see the tasks below)',
      `goal ${id} ${final.goal.state}: ${final.goal.succeeded_count}/${final.goal.task_count} tasks succeeded`,
    ].join('\n'),
  );
  const attributed = await receiptsAttributed(admin, id, final.goal.succeeded_count, opts, signal);
  log(
    [
      `audit: ${attributed}/${final.goal.succeeded_count} results attributed to their agents' keys` +
        (attributed < final.goal.succeeded_count ? ' so far (the rest after the next signed heartbeat)' : ''),
      '',
      'try next (in another terminal):',
      `  npm run kos -- audit verify --goal ${id}`,
      `  npm run kos -- tasks --goal ${id}`,
      '  npm run kos -- agents',
      '  npm run kos -- submit "analyze customer data trends" --context "Q3 2024" --wait',
      '  npm run kos -- status',
      '  npm run kos -- tensor',
      '',
      'the agents keep serving goals; Ctrl-C drains them and stops the server',
    ].join('\n'),
  );
  return { goalId: id, state: final.goal.state, reportPath, attributed };
}

/** Waits until every agent of the fleet is active (connected after the fleet started). */
async function agentsConnected(
  admin: KosClient,
  fleet: Fleet,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const since = Date.now() - 1_000; // agents of an earlier run are still listed, with older heartbeats
  const deadline = Date.now() + timeoutMs;
  let exit: string | null = null;
  void fleet.firstExit().then((m) => (exit = `${m.name} exited (${m.code ?? m.signal}) before connecting`));
  for (;;) {
    if (exit !== null) throw new Error(exit);
    const { agents } = await admin.listAgents({ state: 'active' });
    const fresh = new Set(agents.filter((a) => Date.parse(a.last_heartbeat_at) >= since).map((a) => a.name));
    const missing = fleet.members.filter((m) => !fresh.has(m.name)).map((m) => m.name);
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`agents ${missing.join(', ')} did not connect in ${timeoutMs} ms`);
    await delay(200, undefined, { signal });
  }
}

/**
 * Receipts: a result becomes attributable to its agent's key once a signed heartbeat covers its
 * chain head, one heartbeat interval (heartbeat TTL / 3) after it at most. Polls until all are.
 */
async function receiptsAttributed(
  admin: KosClient,
  goalId: string,
  expected: number,
  opts: DemoOptions,
  signal: AbortSignal,
): Promise<number> {
  const deadline = Date.now() + (opts.auditTimeoutMs ?? 20_000);
  for (;;) {
    const verdict = verifyReceipts(await admin.receipts({ goal_id: goalId }));
    const n = verdict.attributed.length;
    if (n >= expected || Date.now() > deadline || signal.aborted) return n;
    await delay(250, undefined, { signal }).catch(() => undefined);
  }
}
