import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';
import { isColorSupported, prettyFactory } from 'pino-pretty';
import type { Config } from '../config/types.ts';

export type LogLevel = Config['log']['level'];
export type LogFormat = Config['log']['format'];

/** Where log lines go; `isTTY`, as on process.stdout, decides what `auto` means. */
export type LogDestination = DestinationStream & { readonly isTTY?: boolean };

/**
 * The orchestrator's logger, to stdout unless `destination` is given (`log.*` keys,
 * docs/configuration.md). `json`: one JSON object per line. `pretty`: one readable line per record,
 * `10:42:07.123 INFO: goal submitted` and then the other fields, coloured on a terminal. `auto`:
 * pretty on a terminal, JSON otherwise (a pipe, a file, a log collector). Secrets are redacted in
 * both, wherever a request or token would carry them.
 */
export function createLogger(
  log: { level: LogLevel; format: LogFormat },
  destination?: LogDestination,
): Logger {
  const options = {
    level: log.level,
    base: { service: 'kos-orchestrator', pid: process.pid, hostname: hostname() },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'secret', '*.secret', '*.sessionSecret'],
      censor: '[redacted]',
    },
  };
  const tty = (destination ?? process.stdout).isTTY === true;
  if (log.format === 'json' || (log.format === 'auto' && !tty)) {
    return destination === undefined ? pino(options) : pino(options, destination);
  }
  // To stdout, colour as colorette decides (a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR).
  const colorize = destination === undefined ? isColorSupported : tty;
  return pino(options, prettyLines(destination ?? pino.destination({ dest: 1, sync: true }), colorize));
}

/**
 * Formats each record as pino writes it, in this process and synchronously (pino-pretty's
 * formatter, not its stream or a worker-thread transport): a line is out before the call that
 * logged it returns, so none is lost or reordered when the process exits.
 */
function prettyLines(out: DestinationStream, colorize: boolean): DestinationStream {
  const format = prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return { write: (line: string) => out.write(format(line)) };
}
