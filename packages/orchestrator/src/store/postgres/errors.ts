import { KosError } from '@kos/protocol';

/**
 * How the PostgreSQL backend tells failures apart. pg reports server errors with a SQLSTATE
 * `code`, socket errors with a Node `code`, and a few client-side failures (pool wait, read
 * timeout, a connection closed under a query) only by message: those few are matched by text
 * because pg gives them nothing else.
 */
const CONNECTION_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, server stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: server starting
  '53300', // too_many_connections
  '3D000', // the database does not exist (dropped under us)
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed|connection is closed|not queryable/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The connection is gone or unusable: the client must be discarded, not returned to the pool. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = codeOf(error);
  if (code !== undefined && (code.startsWith('08') || CONNECTION_CODES.has(code))) return true;
  return CONNECTION_MESSAGES.test(error.message);
}

/** serialization_failure or deadlock_detected: the transaction was rolled back and may run again. */
export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return code === '40001' || code === '40P01';
}

/** statement_timeout or lock_timeout fired: the database is too slow or a lock is held too long. */
export function isTimeout(error: unknown): boolean {
  const code = codeOf(error);
  return code === '57014' || code === '55P03';
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

export function unavailable(url: string, what: string, cause: unknown): KosError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new KosError(
    'KOS_ERR_STORE_UNAVAILABLE',
    `The PostgreSQL store ${redact(url)} is unavailable: ${what} (${reason}). Check that the server runs and accepts connections; retry later.`,
    { url: redact(url), cause: reason },
  );
}

/** Lost a deadlock or serialization conflict on every try: busy, not broken. */
export function contended(url: string, what: string, cause: unknown): KosError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new KosError(
    'KOS_ERR_STORE_UNAVAILABLE',
    `The PostgreSQL store ${redact(url)} is too contended: ${what}, after losing to concurrent transactions on every try (${reason}). Retry it.`,
    { url: redact(url), cause: reason },
  );
}

export function notReady(url: string): KosError {
  return new KosError('KOS_ERR_NOT_READY', `The PostgreSQL store ${redact(url)} is closed.`, {
    url: redact(url),
  });
}

/** A failure of the database itself, not of the caller's input, as the 503 callers expect. */
export function storeFailure(url: string, error: unknown, what: string): unknown {
  if (isConnectionError(error)) return unavailable(url, what, error);
  if (isTimeout(error)) return unavailable(url, `${what}: it did not answer in time`, error);
  // Still a deadlock or serialization victim after every retry: the store is contended, the
  // request is fine. Typed, so an agent keeps its result and sends it again (not a 500).
  if (isRetryable(error)) return contended(url, what, error);
  return error;
}
