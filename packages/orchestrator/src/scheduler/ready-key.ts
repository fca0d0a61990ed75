import { priorityLevel, type Priority } from '@kos/protocol';

/**
 * The ready queue's sort key (lower runs first): `availableAt + level(priority) × agingStepMs`,
 * with level 0 = critical … 3 = low.
 *
 * - Strict tiers: tasks that become ready at the same moment run in priority order.
 * - Aging: a task's key is fixed when it becomes ready, so every `agingStepMs` it waits it climbs
 *   one tier relative to newly ready tasks. A task of level p is overtaken only by a task of level
 *   q < p that became ready less than (p − q) × agingStepMs after it. In particular a low task waits
 *   at most 3 × agingStepMs behind newer critical ones: any critical task that becomes ready more
 *   than 3 × agingStepMs after it sorts behind it. Nothing is starved.
 */
export function readyKey(availableAt: number, priority: Priority, agingStepMs: number): number {
  return availableAt + priorityLevel(priority) * agingStepMs;
}
