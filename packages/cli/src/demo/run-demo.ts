/**
 * `kos serve --demo`: three agents and one goal, driven only through the public REST API, in the
 * server's process. The agents keep heartbeating after the goal finishes, until `signal` aborts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KosClient } from '../client.ts';
import { LineView, watchGoal } from '../progress.ts';
import { DemoAgent } from './agent-loop.ts';
import { analyst, collector, reporter, type DemoWorker } from './workers.ts';

export interface DemoOptions {
  /** A client holding the admin token. */
  admin: KosClient;
  dataDir: string;
  log: (line: string) => void;
  signal: AbortSignal;
  goal?: string;
  context?: string;
}

export const DEMO_GOAL = 'analyze customer data trends';
export const DEMO_CONTEXT = 'Q4 2024';

/** Runs the demo; resolves once `signal` aborted and the agents stopped. */
export async function runDemo(opts: DemoOptions): Promise<void> {
  const { admin, log, signal } = opts;
  const workers: DemoWorker[] = [collector, analyst, reporter(opts.dataDir)];
  log(`demo: creating ${workers.length} agent tokens and registering the agents`);
  const agents = await Promise.all(
    workers.map(async (worker) => {
      const t = await admin.createToken({
        role: 'agent',
        agent_name: worker.name,
        label: 'kos serve --demo',
      });
      return DemoAgent.register({ api: admin.withToken(t.token), worker, log });
    }),
  );
  const loops = agents.map((a) => a.run(signal));

  const goal = opts.goal ?? DEMO_GOAL;
  const context = opts.context ?? DEMO_CONTEXT;
  const submitted = await admin.decompose({ goal, context });
  log(
    `demo: submitted "${goal}" (${context}) as goal ${submitted.goal_id}, template ${submitted.goal.template}`,
  );
  for (const m of submitted.feasibility.missing_skills) {
    log(`demo: warning: no agent has skill "${m.skill}" (needed by ${m.tasks.join(', ')})`);
  }
  try {
    const final = await watchGoal(
      admin,
      submitted.goal_id,
      new LineView((l) => log(`demo: ${l}`)),
      250,
      signal,
    );
    const report = join(opts.dataDir, 'reports', `${submitted.goal_id}.md`);
    const id = submitted.goal_id;
    log(
      [
        '',
        existsSync(report) ? `report: ${report}` : 'report: not written (see the tasks below)',
        `goal ${id} ${final.goal.state}: ${final.goal.succeeded_count}/${final.goal.task_count} tasks succeeded`,
        '',
        'try next (in another terminal):',
        '  npm run kos -- status',
        '  npm run kos -- goals',
        `  npm run kos -- tasks --goal ${id}`,
        '  npm run kos -- tensor',
        '',
        'the agents keep heartbeating; Ctrl-C stops the server',
      ].join('\n'),
    );
  } catch (e) {
    if (!signal.aborted) throw e;
  }
  await Promise.all(loops);
}
