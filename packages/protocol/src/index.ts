/**
 * @kos/protocol: what the orchestrator, the CLI and agents share.
 *
 * ```ts
 * import { KosError, ERROR_CODES, PRIORITIES } from '@kos/protocol';
 * throw new KosError('KOS_ERR_STALE_EPOCH', 'epoch 3 was replaced by epoch 4', { current: 4 });
 * ```
 */
export { ERROR_CODES, KosError, isKosError } from './errors.ts';
export type { ErrorCode } from './errors.ts';
export { PRIORITIES, priorityLevel } from './priority.ts';
export type { Priority } from './priority.ts';
