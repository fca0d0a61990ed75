/**
 * Observability: Prometheus metrics and the logger (JSON lines, or readable lines on a terminal).
 *
 * ```ts
 * import { Metrics, createLogger } from './observe/index.ts';
 * const metrics = new Metrics();
 * metrics.taskTransition('succeeded');
 * reply.type(metrics.contentType).send(await metrics.render());
 * const log = createLogger(config.log);
 * ```
 */
export { Metrics } from './metrics.ts';
export { createLogger } from './logger.ts';
export type { LogDestination, LogFormat, LogLevel } from './logger.ts';
