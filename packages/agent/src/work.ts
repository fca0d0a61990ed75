import { KosError } from '@kos/protocol';
import type { Payloads } from '@kos/protocol';
import { failureOf } from './failure.ts';
import { handoffResult, TaskHandoff } from './handoff.ts';
import { ConcurrencyLimiter } from './limiter.ts';
import { childLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import { isLeaseLostCode } from './remote-error.ts';
import { decideOnReply } from './result-reply.ts';
import type { Reply, Session } from './session.ts';
import type { TaskContext, TaskHandler } from './task.ts';
import {
  failedOf,
  isStopping,
  localTaskOf,
  type LocalTask,
  type StatusUpdate,
  type TaskResult,
} from './local-task.ts';

export interface WorkDeps {
  logger: Logger;
  maxParallel: number;
  /** The open session, if any. */
  session(): Session | undefined;
  /** False while draining: new requests are handed back. */
  accepting(): boolean;
}

/**
 * The tasks this agent holds leases for: runs their handlers through the concurrency limiter,
 * reports progress and results, and keeps what could not be sent while disconnected.
 */
export class Work {
  private readonly tasks = new Map<string, LocalTask>();
  private readonly handlers = new Map<string, TaskHandler>();
  private readonly limiter: ConcurrencyLimiter;
  private lastProgressAt: number | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: WorkDeps) {
    this.limiter = new ConcurrencyLimiter(deps.maxParallel);
  }

  handle(skill: string, handler: TaskHandler): void {
    this.handlers.set(skill, handler);
  }

  hasHandler(skill: string): boolean {
    return this.handlers.has(skill);
  }

  /** Tasks whose lease we hold (queued, running or with a result to report). */
  get size(): number {
    return this.tasks.size;
  }

  /** Running handlers (at most maxParallel). */
  get running(): number {
    return this.limiter.active;
  }

  inFlight(): { task_id: string; epoch: number }[] {
    return [...this.tasks.values()].map((l) => ({ task_id: l.task.id, epoch: l.task.epoch }));
  }

  heartbeat(): Payloads['heartbeat'] {
    const in_flight = [...this.tasks.values()].map((l) =>
      l.progress === undefined
        ? { task_id: l.task.id, epoch: l.task.epoch }
        : { task_id: l.task.id, epoch: l.task.epoch, progress: l.progress },
    );
    return this.lastProgressAt === undefined
      ? { in_flight }
      : { in_flight, last_progress_at: this.lastProgressAt };
  }

  /** Resolves once no task is held (all reported or dropped). */
  idle(): Promise<void> {
    if (this.tasks.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  accept(req: Payloads['TASK_REQUEST']): void {
    const log = this.deps.logger;
    const held = this.tasks.get(req.task_id);
    if (held && held.task.epoch >= req.epoch) {
      log.debug('ignored a repeated task request', { task_id: req.task_id, epoch: req.epoch });
      return;
    }
    if (held) this.drop(held, `lease replaced by epoch ${req.epoch}`);
    if (!this.deps.accepting()) {
      // Draining: the orchestrator should not push work now; hand it straight back.
      log.info('handing back a task received while draining', { task_id: req.task_id });
      this.deps
        .session()
        ?.send(
          'rollback',
          { task_id: req.task_id, epoch: req.epoch, reason: 'agent is draining' },
          { task_id: req.task_id },
        );
      return;
    }
    const skill = req.skills.find((s) => this.handlers.has(s));
    const local = localTaskOf(req, skill === undefined ? undefined : this.handlers.get(skill));
    this.tasks.set(req.task_id, local);
    if (!local.handler) {
      log.warn('no handler for any skill of the task', { task_id: req.task_id, skills: req.skills });
      this.report(local, {
        task_id: req.task_id,
        epoch: req.epoch,
        status: 'failed',
        error: {
          code: 'no_handler',
          message: `agent has no handler for ${req.skills.join(', ')}`,
          retryable: false,
        },
      });
      return;
    }
    log.debug('task accepted', { task_id: req.task_id, skill, attempt: req.attempt });
    this.limiter.enqueue(req.task_id, () => this.run(local));
  }

  /**
   * The orchestrator took the task back. Lease revoked: stop, report nothing. Cancelled (`ack_by`):
   * stop, and acknowledge once the handler has settled, before the deadline or the lease is
   * revoked and the agent's trust lowered. A cancel of a task not held here is acknowledged at once.
   */
  rollback(p: Payloads['rollback']): void {
    const local = this.tasks.get(p.task_id);
    if (p.ack_by !== undefined && (!local || local.task.epoch < p.epoch)) {
      void this.sendAck(p.task_id, p.epoch);
      return;
    }
    if (!local || local.task.epoch > p.epoch) return;
    this.deps.logger.info('task rolled back by the orchestrator', { task_id: p.task_id, reason: p.reason });
    if (p.ack_by === undefined) this.drop(local, `rolled back: ${p.reason}`);
    else this.stop(local, p.reason);
  }

  /** After `welcome`: drop what the orchestrator abandoned, send what waited for the connection. */
  resume(welcome: Payloads['welcome']): void {
    const abandon = new Set(welcome.abandon);
    for (const local of [...this.tasks.values()]) {
      if (abandon.has(local.task.id)) {
        this.deps.logger.warn('task abandoned after reconnecting: its lease expired', {
          task_id: local.task.id,
        });
        this.drop(local, 'lease lost while disconnected');
        continue;
      }
      if (local.phase === 'stopping') {
        if (local.settled) void this.acknowledge(local);
        continue;
      }
      if (local.unsent) {
        this.sendProgress(local, local.unsent);
        local.unsent = undefined;
      }
      if (local.outcome) void this.deliver(local);
    }
  }

  /** Aborts every handler and forgets every task (the agent is stopping). */
  abortAll(reason: string): void {
    this.limiter.clear();
    for (const local of [...this.tasks.values()]) this.drop(local, reason);
  }

  private async run(local: LocalTask): Promise<void> {
    const { signal } = local.controller;
    if (signal.aborted || !local.handler) {
      local.settled = true;
      return;
    }
    local.phase = 'running';
    const { task } = local;
    const log = childLogger(this.deps.logger, { task_id: task.id });
    const ctx: TaskContext = {
      input: task.input,
      upstream: task.upstream,
      attempt: task.attempt,
      checkpoint: local.checkpoint,
      signal,
      log,
      progress: (pct, message, checkpoint) => this.progress(local, pct, message, checkpoint),
    };
    let outcome: TaskResult;
    try {
      const output = await local.handler(task, ctx);
      outcome = { task_id: task.id, epoch: task.epoch, status: 'succeeded', result: output ?? null };
    } catch (thrown) {
      if (thrown instanceof TaskHandoff) {
        outcome = handoffResult(task, thrown);
        if (!signal.aborted) log.info(`task ${thrown.action}`, { reason: thrown.reason, to: thrown.to });
      } else {
        outcome = failedOf(task, thrown);
        if (!signal.aborted) log.warn('task failed', { ...failureOf(thrown) });
      }
    }
    local.settled = true;
    // A cancelled task is acknowledged now that its handler has stopped; what it produced is dropped.
    if (isStopping(local) && this.tasks.get(task.id) === local) {
      void this.acknowledge(local);
      return;
    }
    // An aborted task's lease is gone: whatever the handler produced is dropped.
    if (signal.aborted || this.tasks.get(task.id) !== local) return;
    this.report(local, outcome);
  }

  private progress(local: LocalTask, pct: number, message?: string, checkpoint?: unknown): Promise<void> {
    if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100) {
      return Promise.reject(
        new KosError('KOS_ERR_VALIDATION', `progress must be a number from 0 to 100, got ${String(pct)}`, {
          task_id: local.task.id,
        }),
      );
    }
    if (local.controller.signal.aborted || local.phase !== 'running') return Promise.resolve();
    local.progress = pct;
    this.lastProgressAt = Date.now();
    const update: StatusUpdate = { task_id: local.task.id, epoch: local.task.epoch, progress: pct };
    if (message !== undefined) update.message = message;
    if (checkpoint !== undefined) update.checkpoint = checkpoint;
    if (this.deps.session()?.isOpen) {
      this.sendProgress(local, update);
    } else {
      // Keep the newest update, and the newest checkpoint even if a later update had none.
      const kept = local.unsent?.checkpoint;
      local.unsent =
        update.checkpoint === undefined && kept !== undefined ? { ...update, checkpoint: kept } : update;
    }
    return Promise.resolve();
  }

  /**
   * Sends progress: a STATUS_UPDATE when it carries a checkpoint (stored durably, each one), else a
   * `pulse`, which the orchestrator throttles, so a handler may report per item it processes.
   * A refusal saying the lease is gone aborts the handler.
   */
  private sendProgress(local: LocalTask, update: StatusUpdate): void {
    const onRefusal = (refusal: { code: string; message: string }): void => {
      if (this.tasks.get(local.task.id) !== local || local.phase === 'stopping') return;
      if (refusal.code === 'KOS_ERR_TASK_CANCELLED') {
        this.stop(local, 'cancelled');
      } else if (isLeaseLostCode(refusal.code)) {
        this.deps.logger.warn('lease lost: stopping the task', {
          task_id: local.task.id,
          code: refusal.code,
        });
        this.drop(local, `lease lost (${refusal.code})`);
      } else {
        this.deps.logger.warn('progress refused', { task_id: local.task.id, ...refusal });
      }
    };
    const session = this.deps.session();
    const fields = { task_id: update.task_id };
    if (update.checkpoint !== undefined) {
      session?.sendWatched('STATUS_UPDATE', update, fields, onRefusal);
      return;
    }
    const { task_id, epoch, progress, message } = update;
    const pulse =
      message === undefined ? { task_id, epoch, progress } : { task_id, epoch, progress, message };
    session?.sendWatched('pulse', pulse, fields, onRefusal);
  }

  private report(local: LocalTask, outcome: TaskResult): void {
    local.phase = 'reporting';
    local.outcome = outcome;
    void this.deliver(local);
  }

  private async deliver(local: LocalTask): Promise<void> {
    const session = this.deps.session();
    if (!session?.isOpen || local.delivering || !local.outcome) return;
    const id = local.task.id;
    local.delivering = true;
    const reply = await session.request('TASK_RESULT', local.outcome, { task_id: id });
    local.delivering = false;
    const log = this.deps.logger;
    // A cancel or revocation arrived meanwhile: the stop settles the task, not this reply; a
    // refusal is still worth a line (a zombie learns its late result was not applied).
    if (this.tasks.get(id) !== local || local.phase === 'stopping') {
      if (!reply.ok && reply.reason !== 'closed' && reply.reason !== 'timeout') {
        log.warn('late result refused', { task_id: id, code: reply.code });
      }
      return;
    }
    const decision = decideOnReply(reply, local.outcome, { sent: local.refusedSends, random: Math.random() });
    log[decision.log](decision.message, { task_id: id, ...decision.detail });
    switch (decision.action) {
      case 'forget':
        this.forget(local);
        break;
      case 'stop':
        this.stop(local, 'cancelled');
        break;
      case 'fail':
        // A failed attempt in place of the refused outcome.
        local.outcome = { task_id: id, epoch: local.task.epoch, status: 'failed', error: decision.error };
        void this.deliver(local);
        break;
      case 'retry':
        local.refusedSends++;
        setTimeout(() => {
          if (this.tasks.get(id) === local && local.phase === 'reporting') void this.deliver(local);
        }, decision.afterMs).unref();
        break;
      case 'keep':
        break;
    }
  }

  /** A cancel: the handler is told to stop (its signal aborts); the stop is acknowledged once it settled. */
  private stop(local: LocalTask, reason: string): void {
    if (local.phase === 'stopping') {
      if (local.settled) void this.acknowledge(local);
      return;
    }
    local.phase = 'stopping';
    local.outcome = undefined;
    local.unsent = undefined;
    local.controller.abort(new Error(`cancelled: ${reason}`));
    if (this.limiter.cancel(local.task.id) || local.handler === undefined) local.settled = true;
    if (local.settled) void this.acknowledge(local);
  }

  /** Tells the orchestrator the cancelled task has stopped; kept for the next session if not connected. */
  private async acknowledge(local: LocalTask): Promise<void> {
    const session = this.deps.session();
    if (!session?.isOpen || local.acking) return;
    const id = local.task.id;
    local.acking = true;
    const reply = await this.sendAck(id, local.task.epoch);
    local.acking = false;
    if (this.tasks.get(id) !== local) return;
    if (reply.ok) {
      this.deps.logger.info('cancelled task stopped and acknowledged', { task_id: id });
    } else if (reply.reason === 'closed') {
      return; // sent again after reconnecting (resume)
    } else {
      // Refused (the grace deadline passed) or unanswered: the orchestrator has moved on either way.
      this.deps.logger.warn('stop acknowledgement not accepted', { task_id: id, ...reply });
    }
    this.forget(local);
  }

  private sendAck(taskId: string, epoch: number): Promise<Reply> {
    const session = this.deps.session();
    if (!session?.isOpen) return Promise.resolve({ ok: false, reason: 'closed', message: 'not connected' });
    const payload = { task_id: taskId, epoch, reason: 'stopped after a cancel' };
    return session.request('rollback', payload, { task_id: taskId });
  }

  private drop(local: LocalTask, reason: string): void {
    local.controller.abort(new Error(reason));
    this.limiter.cancel(local.task.id);
    this.forget(local);
  }

  private forget(local: LocalTask): void {
    if (this.tasks.get(local.task.id) === local) this.tasks.delete(local.task.id);
    if (this.tasks.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
