/**
 * Observability: Prometheus metrics and the JSON logger.
 *
 * ```ts
 * import { Metrics, createLogger } from './observe/index.ts';
 * const metrics = new Metrics();
 * metrics.taskTransition('succeeded');
 * reply.type(metrics.contentType).send(await metrics.render());
 * const log = createLogger(config.log.level);
 * ```
 */
export { Metrics } from './metrics.ts';
export { createLogger } from './logger.ts';
export type { LogLevel } from './logger.ts';
