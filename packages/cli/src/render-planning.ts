/** `kos goals show`: how a goal planned by a planner agent was planned, from its plan.* events. */
import type { WireEvent } from '@kos/contracts';

interface Problem {
  code?: string;
  path?: string;
  message?: string;
}

const PLAN_KINDS: ReadonlySet<string> = new Set(['plan.proposed', 'plan.verdict', 'plan.accepted']);

/** Each round's proposal and verdict with its problems, the accepted plan, or why the goal failed; '' when unplanned. */
export function planningSection(events: readonly WireEvent[]): string {
  if (!events.some((e) => PLAN_KINDS.has(e.kind))) return '';
  const lines: string[] = [];
  for (const e of events) {
    const d = e.data;
    if (e.kind === 'plan.proposed') {
      const tasks = (d.proposal as { tasks?: unknown } | null | undefined)?.tasks;
      const said = Array.isArray(tasks) ? `${tasks.length} tasks` : 'no plan';
      lines.push(`  round ${String(d.round)}: proposed ${said}`);
    } else if (e.kind === 'plan.verdict') {
      lines.push(`    ${d.accepted === true ? 'accepted' : 'rejected'} → ${String(d.next)}`);
      for (const p of (d.problems ?? []) as Problem[]) {
        lines.push(
          `      ${p.code ?? '?'} at ${p.path === '' || p.path === undefined ? '(plan)' : p.path}: ${p.message ?? ''}`,
        );
      }
    } else if (e.kind === 'plan.accepted') {
      const tasks = (d.tasks ?? []) as { name: string }[];
      lines.push(
        `  plan accepted (${String(d.source)}, template ${String(d.template)}): ${tasks.map((t) => t.name).join(', ')}`,
      );
    } else if (e.kind === 'goal.state' && d.code === 'KOS_ERR_PLAN_REJECTED') {
      lines.push(`  goal failed: ${String(d.code)}: ${String(d.reason)}`);
    }
  }
  return ['planning', ...lines].join('\n');
}
