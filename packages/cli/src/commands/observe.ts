/** Read-only views: `kos status`, `kos events` (`kos agents`: commands/agents.ts). */
import type { Command } from 'commander';
import type { StatusResponse } from '@kos/contracts';
import { nonNegativeInt, positiveInt } from '../args.ts';
import { Ctx, type Io } from '../context.ts';
import { resolveGoalId, resolveTaskId } from '../ids.ts';
import { eventsTable, fields, nextHint } from '../render.ts';

export function registerObserve(program: Command, io: Io): void {
  program
    .command('status')
    .description('agents, goals and tasks by state; ready queue depth; store; uptime')
    .action(async (_o: object, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.status();
      ctx.print(answer, () => statusText(answer, client.url));
    });

  program
    .command('events')
    .description('the event log, oldest first')
    .option('--goal <id>', 'only events of this goal')
    .option('--task <id>', 'only events of this task')
    .option('--agent <id>', 'only events of this agent')
    .option('--after <seq>', 'only events after this sequence number', nonNegativeInt)
    .option('--limit <n>', 'at most this many', positiveInt)
    .action(
      async (
        o: { goal?: string; task?: string; agent?: string; after?: number; limit?: number },
        cmd: Command,
      ) => {
        const ctx = Ctx.of(io, cmd);
        const client = ctx.client();
        const answer = await client.events({
          ...(o.goal === undefined ? {} : { goal_id: await resolveGoalId(client, o.goal) }),
          ...(o.task === undefined ? {} : { task_id: await resolveTaskId(client, o.task) }),
          ...(o.agent === undefined ? {} : { agent_id: o.agent }),
          ...(o.after === undefined ? {} : { after: o.after }),
          ...(o.limit === undefined ? {} : { limit: o.limit }),
        });
        ctx.print(answer, () => eventsTable(answer.events) + nextHint(answer.next));
      },
    );
}

export function statusText(s: StatusResponse, url: string): string {
  return fields([
    ['orchestrator', url],
    ['uptime', `${Math.round(s.uptime_s)} s`],
    ['store', s.store],
    ['agents', counts(s.agents)],
    ['agent health', healthText(s.agents.health)],
    ['goals', counts(s.goals)],
    ['tasks', counts(s.tasks)],
    ['ready queue', String(s.ready_queue_depth)],
    ['waiting', waitingText(s.waiting)],
    ['reconciler', reconcilerText(s.reconciler)],
  ]);
}

/** `5 (queued 2, missing skills 1, dependencies 2)`: waiting tasks by why they wait. */
function waitingText(w: StatusResponse['waiting']): string {
  const parts = Object.entries(w.by_reason).map(([code, n]) => `${code.replaceAll('_', ' ')} ${n}`);
  return parts.length === 0 ? String(w.total) : `${w.total} (${parts.join(', ')})`;
}

/** `clean (12 runs)`, `goal_counts 1, stale_lease 2 (12 runs)`, or `not run here`. */
function reconcilerText(r: StatusResponse['reconciler']): string {
  if (r.violations === null) return r.interval_ms === 0 ? 'off' : 'not run on this replica yet';
  const found = Object.entries(r.violations).filter(([, v]) => v.count > 0);
  const summary = found.length === 0 ? 'clean' : found.map(([kind, v]) => `${kind} ${v.count}`).join(', ');
  return `${summary} (${r.runs} runs)`;
}

/** `quarantined 1, breakers open 2 / half-open 0, untrusted 0`. */
function healthText(h: StatusResponse['agents']['health']): string {
  const { open, half_open: halfOpen } = h.breakers;
  return `quarantined ${h.quarantined}, breakers open ${open} / half-open ${halfOpen}, untrusted ${h.untrusted}`;
}

/** `{total: 7, by_state: {running: 2, succeeded: 5}}` → `7 (running 2, succeeded 5)`. */
export function counts(c: { total: number; by_state: Partial<Record<string, number>> }): string {
  const parts = Object.entries(c.by_state)
    .filter(([, n]) => n !== undefined && n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? String(c.total) : `${c.total} (${parts.join(', ')})`;
}
