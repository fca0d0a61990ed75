import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config/types.ts';

export type LogLevel = Config['log']['level'];

/**
 * The orchestrator's JSON logger (one object per line, to stdout unless `destination` is given).
 * Secrets are redacted wherever a request or token would carry them.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'kos-orchestrator', pid: process.pid, hostname: hostname() },
    redact: { paths: ['req.headers.authorization', 'secret', '*.secret'], censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
