import { KosError } from '@kos/protocol';
import type { AnyEnvelope, CapabilityAgent, Payloads } from '@kos/protocol';
import { backoffDelay } from './backoff.ts';
import { resolveAgentOptions } from './options.ts';
import type { AgentOptions, ResolvedAgentOptions } from './options.ts';
import { remoteError } from './remote-error.ts';
import { ConnectFailure, Session } from './session.ts';
import type { TaskHandler } from './task.ts';
import { Work } from './work.ts';

/**
 * created → starting (connecting, first welcome) → running → draining → stopped.
 * `stopped` is final; a connection lost while running or draining is re-established in place.
 */
export type AgentState = 'created' | 'starting' | 'running' | 'draining' | 'stopped';

/** Why the agent stopped: `stop()`, a finished `drain()`, or a refusal no retry can fix. */
export type AgentExit = { reason: 'stopped' } | { reason: 'drained' } | { reason: 'fatal'; error: KosError };

export class Agent {
  private state: AgentState = 'created';
  private session: Session | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private urlIndex = 0;
  private draining: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private signalHandler: (() => void) | undefined;
  private readonly work: Work;
  private resolveStopped!: (exit: AgentExit) => void;
  /** Settles when the agent has stopped, with the reason; never rejects. */
  readonly stopped: Promise<AgentExit>;

  private constructor(private readonly options: ResolvedAgentOptions) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.work = new Work({
      logger: options.logger,
      maxParallel: options.maxParallel,
      session: () => this.session,
      accepting: () => this.state !== 'draining' && this.state !== 'stopped',
    });
  }

  /** Checks the options and loads the key (from a file if `key` is a path). Does not connect. */
  static async create(options: AgentOptions): Promise<Agent> {
    return new Agent(await resolveAgentOptions(options));
  }

  get name(): string {
    return this.options.name;
  }

  get status(): AgentState {
    return this.state;
  }

  /** Whether a session with the orchestrator is open now. */
  get connected(): boolean {
    return this.session?.isOpen ?? false;
  }

  /** Registers the handler for a skill listed in `skills`. */
  handle(skill: string, handler: TaskHandler): this {
    if (!this.options.skills.includes(skill)) {
      throw new KosError(
        'KOS_ERR_CONFIG_INVALID',
        `skill "${skill}" is not in the agent's skills; add it there`,
        {
          skill,
          skills: this.options.skills,
        },
      );
    }
    this.work.handle(skill, handler);
    return this;
  }

  /** Connects and resolves after the orchestrator's `welcome`; the agent then runs (reconnecting
   * as needed) until `drain()` or `stop()`. Connection failures are retried with backoff; a
   * refusal no retry can fix (e.g. KOS_ERR_IDENTITY_MISMATCH) rejects with that code. */
  async start(): Promise<void> {
    if (this.state !== 'created') {
      throw new KosError(
        'KOS_ERR_ILLEGAL_TRANSITION',
        `start() can be called once; the agent is ${this.state}`,
        {
          state: this.state,
        },
      );
    }
    const unhandled = this.options.skills.filter((s) => !this.work.hasHandler(s));
    if (unhandled.length > 0) {
      this.options.logger.warn('skills without a handler: their tasks will fail with no_handler', {
        skills: unhandled,
      });
    }
    this.state = 'starting';
    if (this.options.handleSignals) this.installSignals();
    try {
      await this.connect(false);
    } catch (error) {
      const kos = error instanceof KosError ? error : remoteError('KOS_ERR_INTERNAL', String(error));
      await this.shutdown({ reason: 'fatal', error: kos });
      throw kos;
    }
    if (this.state === 'starting') this.state = 'running';
  }

  /** Graceful exit: tells the orchestrator to send no new work (`handover finish`), lets the
   * tasks in flight finish and their results be acknowledged, then disconnects. */
  drain(): Promise<void> {
    if (this.state === 'stopped') return this.stopping ?? Promise.resolve();
    if (this.draining) return this.draining;
    if (this.state === 'created') return this.stop();
    this.state = 'draining';
    this.options.logger.info('draining: finishing the tasks in flight', { tasks: this.work.size });
    this.session?.send('handover', { mode: 'finish' });
    this.draining = this.work.idle().then(() => this.shutdown({ reason: 'drained' }));
    return this.draining;
  }

  /** Disconnects now: in-flight handlers' signals abort and their results are dropped. */
  stop(): Promise<void> {
    return this.shutdown({ reason: 'stopped' });
  }

  /** Asks the orchestrator which agents have these skills (all agents without `skills`). */
  async queryCapabilities(skills?: readonly string[]): Promise<CapabilityAgent[]> {
    const session = this.session;
    if (!session?.isOpen) {
      throw new KosError('KOS_ERR_NOT_READY', 'the agent is not connected; await agent.start() first', {
        state: this.state,
      });
    }
    const reply = await session.request('CAPABILITY_QUERY', skills ? { skills: [...skills] } : {});
    if (!reply.ok) {
      throw reply.reason === 'error'
        ? remoteError(reply.code, reply.message)
        : new KosError('KOS_ERR_NOT_READY', `capability query failed: ${reply.message}`);
    }
    const answer = reply.envelope;
    if (answer.type !== 'CAPABILITY_QUERY' || !('agents' in answer.payload)) {
      throw new KosError('KOS_ERR_INTERNAL', `expected a CAPABILITY_QUERY answer, got ${answer.type}`);
    }
    return answer.payload.agents;
  }

  /** Opens a session, failing over between the URLs with backoff; throws only fatal refusals. */
  private async connect(delayFirst: boolean): Promise<void> {
    const { urls, logger, backoff } = this.options;
    for (let attempt = 0; ; attempt++) {
      if (delayFirst || attempt > 0) await this.pause(backoffDelay(attempt, backoff));
      if (this.state === 'stopped') {
        throw new KosError('KOS_ERR_NOT_READY', 'the agent was stopped before it could connect');
      }
      const url = urls[this.urlIndex % urls.length]!;
      try {
        await this.openSession(url);
        return;
      } catch (error) {
        if (!(error instanceof ConnectFailure)) throw error;
        if (error.fatal && error.code !== undefined) {
          logger.error('the orchestrator refused the agent', { url, code: error.code, error: error.message });
          throw remoteError(error.code, error.message, { url });
        }
        this.urlIndex++;
        logger.warn('cannot connect; retrying', { url, attempt, code: error.code, error: error.message });
      }
    }
  }

  private openSession(url: string): Promise<Session> {
    const o = this.options;
    return Session.open({
      url,
      key: o.key,
      name: o.name,
      skills: o.skills,
      maxParallel: o.maxParallel,
      token: o.token,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      replyTimeoutMs: o.replyTimeoutMs,
      maxFrameBytes: o.maxFrameBytes,
      ca: o.ca,
      logger: o.logger,
      inFlight: () => this.work.inFlight(),
      handlers: {
        onWelcome: (session, welcome) => this.onWelcome(session, welcome),
        onFrame: (env) => this.onFrame(env),
        onClose: (session, info) => this.onClose(session, info),
      },
    });
  }

  private onWelcome(session: Session, welcome: Payloads['welcome']): void {
    if (this.state === 'stopped') {
      void session.close('stopped');
      return;
    }
    this.session = session;
    this.options.logger.info('connected', {
      url: session.url,
      agent_id: welcome.agent_id,
      resumed: welcome.resumed.length,
      abandoned: welcome.abandon.length,
    });
    this.work.resume(welcome);
    this.startHeartbeat(this.options.heartbeatIntervalMs ?? welcome.heartbeat_interval_ms);
    if (this.state === 'draining') session.send('handover', { mode: 'finish' });
  }

  private onFrame(env: AnyEnvelope): void {
    const log = this.options.logger;
    switch (env.type) {
      case 'TASK_REQUEST':
        if (this.state !== 'stopped') this.work.accept(env.payload);
        return;
      case 'rollback':
        this.work.rollback(env.payload);
        return;
      case 'SECURITY_ALERT':
        log.error('security alert from the orchestrator', { ...env.payload });
        return;
      case 'error':
        log.warn('error from the orchestrator', { ...env.payload, reply_to: env.context?.reply_to });
        return;
      default:
        log.debug('ignored a frame', { type: env.type });
    }
  }

  private onClose(session: Session, info: { code: number; reason: string }): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.stopHeartbeat();
    if (this.state === 'stopped') return;
    this.options.logger.warn('connection lost; reconnecting', { url: session.url, ...info });
    void this.connect(true).catch((error: unknown) => {
      const kos = error instanceof KosError ? error : remoteError('KOS_ERR_INTERNAL', String(error));
      if (this.state !== 'stopped') return this.shutdown({ reason: 'fatal', error: kos });
    });
  }

  /** The heartbeat proves the work loop is alive, not just the socket: it runs on the event loop
   * the handlers run on, so a handler that blocks the loop stops heartbeats and the orchestrator
   * reassigns its leases. */
  private startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      this.session?.send('heartbeat', this.work.heartbeat());
    }, intervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Waits `ms`, or less if the agent stops meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private installSignals(): void {
    let received = 0;
    this.signalHandler = () => {
      received++;
      if (received === 1) {
        this.options.logger.info('SIGTERM: draining (send SIGTERM again to stop now)');
        void this.drain();
      } else {
        void this.stop();
      }
    };
    process.on('SIGTERM', this.signalHandler);
  }

  private shutdown(exit: AgentExit): Promise<void> {
    if (this.stopping) return this.stopping;
    this.state = 'stopped';
    if (this.signalHandler) process.off('SIGTERM', this.signalHandler);
    this.stopHeartbeat();
    this.wake?.();
    this.work.abortAll(exit.reason === 'drained' ? 'agent drained' : 'agent stopped');
    const session = this.session;
    this.session = undefined;
    this.stopping = (async () => {
      if (session) await session.close(exit.reason);
      this.options.logger.info('stopped', { reason: exit.reason });
      this.resolveStopped(exit);
    })();
    return this.stopping;
  }
}
