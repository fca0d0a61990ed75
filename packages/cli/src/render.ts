/** Human renderings of the API's goals, tasks, agents and events (tables with short ids). */
import type { WireAgent, WireEvent, WireGoal, WireTask, WireToken } from '@kos/contracts';
import { formatTable, shortId, shortTime, truncate } from './table.ts';

export function goalsTable(goals: readonly WireGoal[]): string {
  if (goals.length === 0) return 'no goals';
  return formatTable(
    ['ID', 'STATE', 'DONE', 'PRIORITY', 'TEMPLATE', 'CREATED', 'GOAL'],
    goals.map((g) => [
      shortId(g.id),
      g.state,
      `${g.succeeded_count}/${g.task_count}`,
      g.priority,
      g.template,
      shortTime(g.created_at),
      truncate(g.context === '' ? g.goal : `${g.goal} (${g.context})`, 60),
    ]),
    { alignRight: [2] },
  );
}

/** Tasks with their dependencies by name when the dependency is in the same list, and why they wait. */
export function tasksTable(tasks: readonly WireTask[]): string {
  if (tasks.length === 0) return 'no tasks';
  const names = new Map(tasks.map((t) => [t.id, t.name]));
  return formatTable(
    ['ID', 'NAME', 'STATE', 'SKILLS', 'PRIORITY', 'TRY', 'AGENT', 'DEPENDS ON', 'WAITING'],
    tasks.map((t) => [
      shortId(t.id),
      t.name,
      t.state,
      t.skills.join(','),
      t.priority,
      `${t.attempts}/${t.max_attempts}`,
      shortId(t.agent_id),
      t.depends_on.length === 0 ? '-' : t.depends_on.map((d) => names.get(d) ?? shortId(d)).join(', '),
      t.waiting_reason === null ? '-' : truncate(t.waiting_reason.message, 60),
    ]),
    { alignRight: [5] },
  );
}

export function goalDetail(goal: WireGoal, tasks: readonly WireTask[]): string {
  return [
    fields([
      ['goal', goal.goal],
      ['context', goal.context === '' ? '-' : goal.context],
      ['id', goal.id],
      [
        'state',
        `${goal.state} (${goal.succeeded_count}/${goal.task_count} tasks succeeded, ${goal.dead_count} dead, ${goal.skipped_count} skipped)`,
      ],
      ['template', goal.template],
      ['priority', goal.priority],
      ['created', shortTime(goal.created_at)],
      ['finished', shortTime(goal.finished_at)],
    ]),
    '',
    tasksTable(tasks),
  ].join('\n');
}

export function taskDetail(task: WireTask, history: readonly WireEvent[]): string {
  const lines = [
    fields([
      ['task', task.name],
      ['id', task.id],
      ['goal', task.goal_id],
      ['state', task.state],
      ['waiting', waitingText(task.waiting_reason)],
      ['skills', task.skills.join(', ')],
      ['priority', task.priority],
      ['attempts', `${task.attempts}/${task.max_attempts} (epoch ${task.epoch})`],
      ['agent', task.agent_id ?? '-'],
      ['progress', task.progress === null ? '-' : `${task.progress}%`],
      ['depends on', task.depends_on.length === 0 ? '-' : task.depends_on.join(', ')],
      ['lease until', shortTime(task.lease_expires_at)],
      ['timeout at', shortTime(task.deadline_at)],
      ['finished', shortTime(task.finished_at)],
      ['error', task.error === null ? '-' : `${task.error.code}: ${task.error.message}`],
      ['handed off', delegationChain(task.delegations)],
      ['input', truncate(JSON.stringify(task.input) ?? 'null', 100)],
      ['result', truncate(JSON.stringify(task.result) ?? 'null', 100)],
    ]),
    '',
    eventsTable(history),
  ];
  return lines.join('\n');
}

/** `agent declined (why) → agent delegated to x (why)`; `-` for none. */
/** `no active agent has skill gpu (since 12:00:01)`, or `-` for a task that does not wait. */
function waitingText(w: WireTask['waiting_reason']): string {
  if (w === null) return '-';
  return w.since === null ? w.message : `${w.message} (since ${shortTime(w.since)})`;
}

function delegationChain(chain: WireTask['delegations']): string {
  if (chain.length === 0) return '-';
  const hop = (d: WireTask['delegations'][number]) => {
    const to = d.to === null ? '' : ` to ${shortId(d.to)}`;
    return `${shortId(d.agent_id)} ${d.action}${to} (${truncate(d.reason, 40)})`;
  };
  return chain.map(hop).join(' → ');
}

export function agentsTable(agents: readonly WireAgent[]): string {
  if (agents.length === 0) return 'no agents';
  return formatTable(
    ['ID', 'NAME', 'STATE', 'SKILLS', 'LEASES', 'TRUST', 'DONE', 'BREAKERS', 'LAST HEARTBEAT'],
    agents.map((a) => {
      const done = Object.values(a.stats).reduce((n, s) => n + s.succeeded, 0);
      return [
        shortId(a.id),
        a.name,
        a.state,
        a.skills.join(','),
        `${a.active_leases}/${a.max_parallel}`,
        a.trust.toFixed(2),
        String(done),
        breakersText(a.health.breakers),
        shortTime(a.last_heartbeat_at),
      ];
    }),
    { alignRight: [4, 5, 6] },
  );
}

/** Breakers that let less than everything through, e.g. `*:open sql:half_open`; `-` for none. */
function breakersText(breakers: WireAgent['health']['breakers']): string {
  const notClosed = Object.entries(breakers).filter(([, b]) => b.state !== 'closed');
  return notClosed.length === 0 ? '-' : notClosed.map(([key, b]) => `${key}:${b.state}`).join(' ');
}

export function eventsTable(events: readonly WireEvent[]): string {
  if (events.length === 0) return 'no events';
  return formatTable(
    ['SEQ', 'AT', 'KIND', 'GOAL', 'TASK', 'AGENT', 'ACTOR', 'DATA'],
    events.map((e) => [
      String(e.seq),
      shortTime(e.at),
      e.kind,
      shortId(e.goal_id),
      shortId(e.task_id),
      shortId(e.agent_id),
      truncate(e.actor, 16),
      truncate(JSON.stringify(e.data), 70),
    ]),
    { alignRight: [0] },
  );
}

/** Tokens by id (the secret's `kos_<id>_…` prefix), newest first; revoked and expiring ones say when. */
export function tokensTable(tokens: readonly WireToken[]): string {
  if (tokens.length === 0) return 'no tokens';
  return formatTable(
    ['ID', 'ROLE', 'AGENT', 'CREATED', 'EXPIRES', 'REVOKED', 'LABEL'],
    tokens.map((t) => [
      t.id,
      t.role,
      t.agent_name ?? '-',
      shortTime(t.created_at),
      t.expires_at === null ? '-' : shortTime(t.expires_at),
      t.revoked_at === null ? '-' : shortTime(t.revoked_at),
      truncate(t.label, 50),
    ]),
  );
}

/** `label  value` lines with the labels padded to one width. */
export function fields(pairs: readonly (readonly [string, string])[]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

/** A `next` cursor as a hint to fetch the following page, or nothing at the end. */
export function nextHint(next: string | number | null | undefined): string {
  return next === null || next === undefined ? '' : `\n(more: add --after ${next})`;
}
