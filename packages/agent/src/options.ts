import { KosError } from '@kos/protocol';
import { loadKey } from '@kos/protocol/node';
import type { AgentKey } from '@kos/protocol/node';
import type { BackoffOptions } from './backoff.ts';
import { jsonLogger } from './logger.ts';
import type { Logger } from './logger.ts';

export interface AgentOptions {
  /** `ws://host:port/klp`, or several URLs to fail over between (tried in turn). */
  orchestrator: string | readonly string[];
  /** The agent's name; its address is `kai://agent.<name>`. */
  name: string;
  /** The skills the agent advertises; each needs a handler (`agent.handle`). */
  skills: readonly string[];
  /** The agent's Ed25519 key, or the path of a key file (loaded with `loadKey`). */
  key: AgentKey | string;
  /** Tasks run at once (default 1). */
  maxParallel?: number;
  /** An agent token: needed for the first hello of a name, which binds the name to the key. */
  token?: string;
  /** Default: JSON lines on stderr at info level. */
  logger?: Logger;
  /** Default: the interval the orchestrator announces in `welcome`. */
  heartbeatIntervalMs?: number;
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number };
  /** First SIGTERM drains, the second stops (default true). */
  handleSignals?: boolean;
  /** How long to wait for `challenge` and `welcome` (default 10 s). */
  handshakeTimeoutMs?: number;
  /** How long to wait for the orchestrator's `ack`/`error` to a frame (default 30 s). */
  replyTimeoutMs?: number;
  /** Largest frame accepted from the orchestrator (default 16 MiB). */
  maxFrameBytes?: number;
  /**
   * For wss:// to an orchestrator whose certificate is not signed by a CA the system trusts (its
   * own, or a private CA): the PEM certificate(s) to trust instead. The certificate is verified
   * either way; there is no option to skip that.
   */
  ca?: string | Buffer;
}

/** Options checked once, defaults filled in, durations in milliseconds. */
export interface ResolvedAgentOptions {
  urls: readonly string[];
  name: string;
  skills: readonly string[];
  key: AgentKey;
  maxParallel: number;
  token: string | undefined;
  logger: Logger;
  heartbeatIntervalMs: number | undefined;
  backoff: BackoffOptions;
  handleSignals: boolean;
  handshakeTimeoutMs: number;
  replyTimeoutMs: number;
  maxFrameBytes: number;
  ca: string | Buffer | undefined;
}

function invalid(message: string, details: Record<string, unknown>): KosError {
  return new KosError('KOS_ERR_CONFIG_INVALID', message, details);
}

function positiveInt(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw invalid(`agent option ${option} must be a positive integer, got ${String(value)}`, {
      option,
      value,
    });
  }
  return value;
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`orchestrator URL "${url}" is not a URL; expected ws://host:port/klp`, { url });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw invalid(
      `orchestrator URL "${url}" must start with ws:// or wss:// (e.g. ws://127.0.0.1:7700/klp)`,
      {
        url,
      },
    );
  }
  return url;
}

/** Validates the options and loads the key file if a path was given. */
export async function resolveAgentOptions(options: AgentOptions): Promise<ResolvedAgentOptions> {
  const urls = (
    typeof options.orchestrator === 'string' ? [options.orchestrator] : [...options.orchestrator]
  ).map(checkUrl);
  if (urls.length === 0) throw invalid('agent option orchestrator needs at least one URL', {});
  if (typeof options.name !== 'string' || options.name.length === 0) {
    throw invalid('agent option name must be a non-empty string', { name: options.name });
  }
  const skills = [...new Set(options.skills)];
  if (skills.length === 0 || skills.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw invalid('agent option skills must list at least one non-empty skill name', {
      skills: options.skills,
    });
  }
  const baseDelayMs = positiveInt(options.reconnect?.baseDelayMs, 200, 'reconnect.baseDelayMs');
  const maxDelayMs = positiveInt(options.reconnect?.maxDelayMs, 10_000, 'reconnect.maxDelayMs');
  if (maxDelayMs < baseDelayMs) {
    throw invalid('agent option reconnect.maxDelayMs must be at least reconnect.baseDelayMs', {
      baseDelayMs,
      maxDelayMs,
    });
  }
  const key = typeof options.key === 'string' ? await loadKey(options.key) : options.key;
  return {
    urls,
    name: options.name,
    skills,
    key,
    maxParallel: positiveInt(options.maxParallel, 1, 'maxParallel'),
    token: options.token,
    logger: options.logger ?? jsonLogger('info', { agent: options.name }),
    heartbeatIntervalMs:
      options.heartbeatIntervalMs === undefined
        ? undefined
        : positiveInt(options.heartbeatIntervalMs, 0, 'heartbeatIntervalMs'),
    backoff: { baseDelayMs, maxDelayMs },
    handleSignals: options.handleSignals ?? true,
    handshakeTimeoutMs: positiveInt(options.handshakeTimeoutMs, 10_000, 'handshakeTimeoutMs'),
    replyTimeoutMs: positiveInt(options.replyTimeoutMs, 30_000, 'replyTimeoutMs'),
    maxFrameBytes: positiveInt(options.maxFrameBytes, 16 * 1024 * 1024, 'maxFrameBytes'),
    ca: options.ca,
  };
}
