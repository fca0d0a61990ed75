/**
 * What can go wrong in the CLI, and how it ends the process: an error answer of the API (its
 * `KOS_ERR_…` code), a server that cannot be reached, or a usage mistake (exit 2).
 */
export type CliErrorKind = 'api' | 'unreachable' | 'usage';

export class CliError extends Error {
  readonly kind: CliErrorKind;
  /** The API's error code (`KOS_ERR_…`), or null for errors the CLI detected itself. */
  readonly code: string | null;
  readonly status: number | null;
  readonly details: unknown;

  constructor(
    kind: CliErrorKind,
    message: string,
    opts: { code?: string | null; status?: number | null; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'CliError';
    this.kind = kind;
    this.code = opts.code ?? null;
    this.status = opts.status ?? null;
    this.details = opts.details;
  }

  get exitCode(): 1 | 2 {
    return this.kind === 'usage' ? 2 : 1;
  }

  /** The line printed to stderr. */
  describe(): string {
    return this.code === null ? `error: ${this.message}` : `error ${this.code}: ${this.message}`;
  }
}

export function usageError(message: string): CliError {
  return new CliError('usage', message);
}

/** Ends the command with this exit code without printing anything more (e.g. a goal that failed). */
export class QuietExit extends Error {
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'QuietExit';
    this.exitCode = exitCode;
  }
}
