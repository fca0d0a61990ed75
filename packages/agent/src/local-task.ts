import type { Payloads } from '@kos/protocol';
import { failureOf } from './failure.ts';
import type { AgentTask, TaskHandler } from './task.ts';

export type TaskResult = Payloads['TASK_RESULT'];
export type StatusUpdate = Payloads['STATUS_UPDATE'];

/**
 * queued → running → reporting (result waiting for the orchestrator's ack) → forgotten; any of
 * them → stopping when the task is cancelled: the handler's signal aborts and, once the handler
 * has settled, the stop is acknowledged (a rollback of our own) → forgotten.
 */
export type LocalPhase = 'queued' | 'running' | 'reporting' | 'stopping';

/** A lease as this agent holds it: the task, its handler, and where it is in its life. */
export interface LocalTask {
  task: AgentTask;
  checkpoint: unknown;
  handler: TaskHandler | undefined;
  controller: AbortController;
  phase: LocalPhase;
  progress: number | undefined;
  /** The latest status update made while disconnected, sent after the lease is resumed. */
  unsent: StatusUpdate | undefined;
  outcome: TaskResult | undefined;
  delivering: boolean;
  /** Sends of the outcome refused as transient (store busy): spaces the next one. */
  refusedSends: number;
  /** The handler returned or threw (or never started). */
  settled: boolean;
  /** A stop acknowledgement is on its way. */
  acking: boolean;
}

/** A new lease from its TASK_REQUEST, queued, with the handler chosen for it (if any). */
export function localTaskOf(req: Payloads['TASK_REQUEST'], handler: TaskHandler | undefined): LocalTask {
  return {
    task: {
      id: req.task_id,
      goalId: req.goal_id,
      name: req.name,
      skills: req.skills,
      input: req.input,
      epoch: req.epoch,
      attempt: req.attempt,
      deadline: req.deadline,
      upstream: req.upstream ?? {},
    },
    checkpoint: req.checkpoint ?? null,
    handler,
    controller: new AbortController(),
    phase: 'queued',
    progress: undefined,
    unsent: undefined,
    outcome: undefined,
    delivering: false,
    refusedSends: 0,
    settled: false,
    acking: false,
  };
}

export function failedOf(task: AgentTask, thrown: unknown): TaskResult {
  return { task_id: task.id, epoch: task.epoch, status: 'failed', error: failureOf(thrown) };
}

/** Read through a function: the phase changes while the handler is awaited. */
export function isStopping(local: LocalTask): boolean {
  return local.phase === 'stopping';
}
