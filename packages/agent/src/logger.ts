/** The logger the SDK writes to; any object with these four methods fits (pino, console…). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** The default logger: one JSON object per line on stderr, at `level` and above. */
export function jsonLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const min = LEVELS.indexOf(level);
  const emit =
    (l: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      if (LEVELS.indexOf(l) < min) return;
      write(JSON.stringify({ level: l, time: new Date().toISOString(), ...base, msg, ...fields }) + '\n');
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that adds `fields` to every line (e.g. the task id for a handler's `ctx.log`). */
export function childLogger(parent: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (msg, more) => parent.debug(msg, { ...fields, ...more }),
    info: (msg, more) => parent.info(msg, { ...fields, ...more }),
    warn: (msg, more) => parent.warn(msg, { ...fields, ...more }),
    error: (msg, more) => parent.error(msg, { ...fields, ...more }),
  };
}
