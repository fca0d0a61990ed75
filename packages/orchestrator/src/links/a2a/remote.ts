import { ClientFactory, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';
import type { Logger } from 'pino';
import { isKosError } from '@kos/protocol';
import {
  agentActor,
  completeTask,
  failTask,
  heartbeat,
  reportProgress,
  returnTask,
  type Actor,
  type Core,
} from '../../app/index.ts';
import { leaseTtlMs } from '../../scheduler/policy.ts';
import type { Task } from '../../scheduler/task.ts';
import type { A2aRemoteRecord } from '../../store/records.ts';
import { checkCard, type FetchedCard } from './card.ts';
import { messageFor, ResultCollector, type Verdict } from './mapping.ts';

/** One lease being driven: its stream, and what tasks/cancel needs. */
interface Run {
  epoch: number;
  abort: AbortController;
  collector: ResultCollector;
  /** Why it must stop, while it waits for the remote's task id to cancel (see `stop`). */
  stopping?: string;
}

/** How long a stopped lease's stream waits for the remote's task id to cancel it by. */
const CANCEL_WAIT_MS = 5_000;

/** Errors that mean the lease is not ours any more: stop, and tell the remote. */
const FENCED = new Set([
  'KOS_ERR_STALE_EPOCH',
  'KOS_ERR_NOT_LEASE_HOLDER',
  'KOS_ERR_TASK_NOT_ACTIVE',
  'KOS_ERR_TASK_CANCELLED',
  'KOS_ERR_TASK_FINISHED',
]);

/**
 * One remote A2A agent, driven as the kOS agent `record.agentId`. Each lease becomes one
 * `message/stream`; each event renews the lease (at most once per `renewEveryMs`), the final state
 * completes or fails the task through the same use cases a KLP agent's report uses, fenced by the
 * epoch. Nothing here renews a lease without an event from the remote: a silent or dead remote
 * loses its lease by the store's TTL, like any agent. Presence (the agent's heartbeat) comes from
 * `probe()`: a fetch of the card that answered.
 */
export class RemoteAgent {
  private readonly runs = new Map<string, Run>();
  private readonly client: Promise<Client>;
  readonly card: FetchedCard;
  private readonly actor: Actor;

  constructor(
    readonly record: A2aRemoteRecord,
    private readonly core: Core,
    private readonly log: Logger,
    private readonly options: { renewEveryMs: number; probeTimeoutMs: number },
  ) {
    this.card = checkCard(record.card, record.cardUrl);
    this.actor = agentActor({ agentId: record.agentId });
    const token = record.token;
    const fetchImpl: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers, redirect: 'error' });
    };
    const factory = new ClientFactory({
      transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat: { enabled: true } })],
    });
    this.client = factory.createFromAgentCard(this.card.card);
    // A card that checked out but has no transport the SDK can build is reported when used.
    this.client.catch(() => undefined);
  }

  get agentId(): string {
    return this.record.agentId;
  }

  /** Drives a newly leased task; a lease already driven (same epoch) is left alone. */
  push(task: Task): void {
    const current = this.runs.get(task.id);
    if (current?.epoch === task.epoch) return;
    if (current) this.stop(task.id, current.epoch, 'a newer lease');
    const run: Run = { epoch: task.epoch, abort: new AbortController(), collector: new ResultCollector() };
    this.runs.set(task.id, run);
    this.drive(task, run)
      .catch((err: unknown) =>
        this.log.warn({ err, task_id: task.id, agent_id: this.agentId }, 'A2A lease ended with an error'),
      )
      .finally(() => {
        if (this.runs.get(task.id) === run) this.runs.delete(task.id);
      });
  }

  /**
   * The lease ended (revoked, expired) or its task is being cancelled (`acknowledge`): its stream
   * stops, the remote task is cancelled, and a cancel is acknowledged so the task settles now.
   */
  stop(taskId: string, epoch: number, reason: string, acknowledge = false): void {
    const run = this.runs.get(taskId);
    if (run && run.epoch <= epoch) {
      this.runs.delete(taskId);
      if (run.collector.remoteTaskId !== undefined) this.halt(run, taskId, reason);
      else {
        // No event has named the remote's task yet: the stream stays open until one does (then
        // it is cancelled), for a few seconds at most.
        run.stopping = reason;
        setTimeout(() => run.abort.abort(), CANCEL_WAIT_MS).unref();
      }
    }
    if (!acknowledge) return;
    returnTask(this.core, this.actor, { taskId, epoch }).catch((err: unknown) =>
      this.log.info({ err, task_id: taskId }, 'A2A cancel not acknowledged; its grace period ends it'),
    );
  }

  /** Stops every stream (the orchestrator stops); remote tasks are cancelled best effort. */
  close(): void {
    for (const [taskId, run] of [...this.runs]) this.stop(taskId, run.epoch, 'orchestrator stopping');
  }

  /** The remote answers its card URL: the agent is alive (its leases are not renewed by this). */
  async probe(): Promise<boolean> {
    try {
      const res = await fetch(this.record.cardUrl, {
        signal: AbortSignal.timeout(this.options.probeTimeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      if (!res.ok) return false;
    } catch {
      return false;
    }
    // An empty in-flight list: presence only. A lease is renewed only by its own stream's events.
    await heartbeat(this.core, this.actor, { agentId: this.agentId, inFlight: [] });
    return true;
  }

  private async drive(task: Task, run: Run): Promise<void> {
    const client = await this.client;
    const upstream =
      task.dependsOn.length === 0
        ? undefined
        : Object.fromEntries(
            (await this.core.store.read((tx) => tx.getTasks(task.dependsOn))).map((d) => [d.name, d.result]),
          );
    const stream = client.sendMessageStream(
      { tenant: '', message: messageFor(task, upstream), configuration: undefined, metadata: undefined },
      { signal: run.abort.signal },
    );
    const renewEvery = Math.min(
      this.options.renewEveryMs,
      leaseTtlMs(task.policy, this.core.config.leases.ttlMs) / 4,
    );
    let renewedAt = -Infinity;
    try {
      for await (const event of stream) {
        if (run.abort.signal.aborted) return;
        const verdict = run.collector.take(event);
        if (run.stopping !== undefined) {
          this.halt(run, task.id, run.stopping);
          return;
        }
        if (verdict.kind === 'alive') {
          const now = performance.now();
          if (now - renewedAt < renewEvery) continue;
          renewedAt = now;
          if (!(await this.report(task, run, () => this.renew(task)))) return;
          continue;
        }
        await this.finish(task, run, verdict);
        return;
      }
    } catch (err) {
      if (run.abort.signal.aborted) return;
      // The remote died or the connection broke: the lease is left to run out (its TTL), so the
      // task is reassigned as for any agent that vanished.
      this.log.warn(
        { err, task_id: task.id, agent_id: this.agentId },
        'A2A stream broke; the lease will expire',
      );
      return;
    }
    this.log.warn(
      { task_id: task.id, agent_id: this.agentId },
      'A2A stream ended without a final state; the lease will expire',
    );
  }

  /** A sign of life: the task is running and its lease is renewed (progress keeps its last value). */
  private renew(task: Task): Promise<void> {
    return reportProgress(this.core, this.actor, {
      taskId: task.id,
      epoch: task.epoch,
      progress: task.progress ?? 0,
    });
  }

  private async finish(task: Task, run: Run, verdict: Exclude<Verdict, { kind: 'alive' }>): Promise<void> {
    const fence = { taskId: task.id, epoch: task.epoch };
    if (verdict.kind === 'completed') {
      const done = await this.report(task, run, async () => {
        await completeTask(this.core, this.actor, { ...fence, result: run.collector.result() });
      });
      if (done)
        this.log.info(
          { task_id: task.id, agent_id: this.agentId, card_url: this.record.cardUrl },
          'A2A task completed',
        );
      return;
    }
    await this.report(task, run, async () => {
      await failTask(this.core, this.actor, { ...fence, error: verdict });
    });
    if (verdict.cancelRemote) this.cancelRemote(run, task.id, verdict.code);
  }

  /**
   * Runs one report; false when the lease is not ours any more (stale epoch, cancelled, finished):
   * the stream stops and the remote is told to cancel. A result over the size limit fails the
   * task without retry (the remote would answer the same).
   */
  private async report(task: Task, run: Run, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      if (isKosError(err) && FENCED.has(err.code)) {
        this.log.info(
          { task_id: task.id, agent_id: this.agentId, code: err.code },
          'A2A lease is not ours any more',
        );
        this.runs.delete(task.id);
        this.halt(run, task.id, err.code);
        return false;
      }
      if (isKosError(err) && err.code === 'KOS_ERR_LIMIT_EXCEEDED') {
        const error = { code: 'result_too_large', message: err.message, retryable: false };
        await failTask(this.core, this.actor, { taskId: task.id, epoch: task.epoch, error });
        return false;
      }
      throw err;
    }
  }

  /** Ends a run: its stream closed, its remote task cancelled. */
  private halt(run: Run, taskId: string, reason: string): void {
    run.abort.abort();
    this.cancelRemote(run, taskId, reason);
  }

  /** tasks/cancel to the remote, best effort: an unreachable remote has stopped anyway. */
  private cancelRemote(run: Run, taskId: string, reason: string): void {
    const id = run.collector.remoteTaskId;
    if (id === undefined) return;
    this.client
      .then((c) => c.cancelTask({ tenant: '', id, metadata: { kos_task_id: taskId, reason } }))
      .then(() =>
        this.log.info(
          { task_id: taskId, agent_id: this.agentId, remote_task: id, reason },
          'A2A task cancelled',
        ),
      )
      .catch((err: unknown) =>
        this.log.info({ err, task_id: taskId, remote_task: id }, 'A2A cancel not delivered'),
      );
  }
}
