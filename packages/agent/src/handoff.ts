import { KosError } from '@kos/protocol';
import type { Payloads } from '@kos/protocol';

/**
 * What a handler throws to hand its task off instead of running it: decline it, or delegate it,
 * optionally to a named agent. Like `TaskFailure`, the intent travels with the error. A hand-off
 * is not a failure: the attempt does not count and the agent's trust is unchanged; the task goes
 * to another agent, never back to one that already handed it off (docs/cancellation-and-delegation.md).
 *
 * ```ts
 * if (!gpu) throw TaskHandoff.decline('no GPU on this host');
 * throw TaskHandoff.delegate('needs the EU data residency', { to: 'analyst-eu' });
 * ```
 */
export class TaskHandoff extends Error {
  private constructor(
    readonly action: 'declined' | 'delegated',
    readonly reason: string,
    /** For a delegation: the agent (name or id) asked to take over. */
    readonly to: string | undefined,
  ) {
    super(reason);
    this.name = 'TaskHandoff';
  }

  static decline(reason: string): TaskHandoff {
    return new TaskHandoff('declined', checkedReason(reason), undefined);
  }

  static delegate(reason: string, options: { to?: string } = {}): TaskHandoff {
    const { to } = options;
    if (to !== undefined && (typeof to !== 'string' || to.length === 0 || to.length > 200)) {
      throw new KosError(
        'KOS_ERR_VALIDATION',
        'TaskHandoff.delegate: `to` must be an agent name of 1–200 characters',
      );
    }
    return new TaskHandoff('delegated', checkedReason(reason), to);
  }
}

/** A reason is required (the chain records why) and kept within the wire limit. */
function checkedReason(reason: string): string {
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new KosError('KOS_ERR_VALIDATION', 'a hand-off needs a reason: say why the task is handed off');
  }
  return reason.slice(0, 1_000);
}

type TaskResult = Payloads['TASK_RESULT'];

/** The TASK_RESULT of a hand-off. */
export function handoffResult(task: { id: string; epoch: number }, h: TaskHandoff): TaskResult {
  const ref = { task_id: task.id, epoch: task.epoch };
  if (h.action === 'declined') return { ...ref, status: 'declined', reason: h.reason };
  return { ...ref, status: 'delegated', reason: h.reason, ...(h.to === undefined ? {} : { to: h.to }) };
}

export function isHandoff(outcome: TaskResult | undefined): boolean {
  return outcome?.status === 'declined' || outcome?.status === 'delegated';
}

/** Refusals of a hand-off that leave the lease with the agent: the attempt fails instead. */
export const HANDOFF_REFUSED: ReadonlySet<string> = new Set([
  'KOS_ERR_DELEGATION_LOOP',
  'KOS_ERR_AGENT_NOT_FOUND',
]);
