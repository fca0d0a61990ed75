/**
 * A demo agent over plain REST: register, then heartbeat every ~300 ms; each heartbeat answer lists
 * the agent's leases, and every lease not seen before is worked and completed with its epoch (the
 * fencing token, so a lease that was taken away cannot be completed by this stale holder).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WireLease } from '../api-types.ts';
import type { KosClient } from '../client.ts';
import { CliError } from '../errors.ts';
import { shortId } from '../table.ts';
import type { DemoWorker } from './workers.ts';

export interface AgentLoopOptions {
  /** A client holding this agent's own token. */
  api: KosClient;
  worker: DemoWorker;
  log: (line: string) => void;
  intervalMs?: number;
}

export class DemoAgent {
  private agentId = '';
  /** `subtask:epoch` of leases being worked or done, so one lease is worked once. */
  private readonly handled = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private lastProblem = '';
  private readonly opts: AgentLoopOptions;

  private constructor(opts: AgentLoopOptions) {
    this.opts = opts;
  }

  static async register(opts: AgentLoopOptions): Promise<DemoAgent> {
    const agent = new DemoAgent(opts);
    await agent.registerNow();
    return agent;
  }

  get id(): string {
    return this.agentId;
  }

  /** Heartbeats until `signal` aborts, then waits for the work in progress. */
  async run(signal: AbortSignal): Promise<void> {
    const every = this.opts.intervalMs ?? 300;
    while (!signal.aborted) {
      await this.beat();
      await delay(every, undefined, { signal }).catch(() => undefined);
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private async registerNow(): Promise<void> {
    const { worker, api } = this.opts;
    const answer = await api.register({ context_id: worker.name, skills: worker.skills });
    this.agentId = answer.agent_id;
    this.opts.log(
      `${worker.name.padEnd(9)} registered as ${shortId(this.agentId)} [${worker.skills.join(', ')}]`,
    );
  }

  private async beat(): Promise<void> {
    try {
      const { leases } = await this.opts.api.heartbeat({ agent_id: this.agentId });
      this.lastProblem = '';
      const current = new Set(leases.map(keyOf));
      for (const k of this.handled) if (!current.has(k)) this.handled.delete(k);
      for (const lease of leases) {
        if (this.handled.has(keyOf(lease))) continue;
        this.handled.add(keyOf(lease));
        const p = this.handle(lease).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    } catch (e) {
      if (
        e instanceof CliError &&
        (e.code === 'KOS_ERR_AGENT_NOT_ACTIVE' || e.code === 'KOS_ERR_AGENT_NOT_FOUND')
      ) {
        await this.registerNow().catch((err: unknown) => this.problem(err));
      } else {
        this.problem(e);
      }
    }
  }

  private async handle(lease: WireLease): Promise<void> {
    const { worker, api, log } = this.opts;
    const name = worker.name.padEnd(9);
    const started = Date.now();
    log(`${name} working on ${lease.name} (${shortId(lease.subtask_uuid)}, epoch ${lease.epoch})`);
    let result: unknown;
    try {
      result = await worker.work(lease, api);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(`${name} failed ${lease.name}: ${message}`);
      await api
        .fail({ subtask_uuid: lease.subtask_uuid, epoch: lease.epoch, error: { message, retryable: true } })
        .catch((err: unknown) => this.problem(err));
      return;
    }
    try {
      await api.complete({ subtask_uuid: lease.subtask_uuid, epoch: lease.epoch, result });
      log(`${name} completed ${lease.name} in ${Date.now() - started} ms`);
    } catch (e) {
      // A stale epoch means the lease moved on (revoked or reassigned): the result is dropped by design.
      this.problem(e);
    }
  }

  /** Logs a problem once until it changes, so a server restart does not flood the terminal. */
  private problem(e: unknown): void {
    const text = e instanceof CliError ? e.describe() : `error: ${String(e)}`;
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.opts.log(`${this.opts.worker.name.padEnd(9)} ${text}`);
  }
}

function keyOf(lease: WireLease): string {
  return `${lease.subtask_uuid}:${lease.epoch}`;
}
