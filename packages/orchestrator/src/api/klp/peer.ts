import type { Logger } from 'pino';
import type { AnyEnvelope, EnvelopeFields, MessageType, Payloads } from '@kos/protocol';
import type { Actor, Core } from '../../app/core.ts';
import type { Task } from '../../scheduler/task.ts';
import type { NewEvent } from '../../store/records.ts';
import type { Identity } from './handshake.ts';
import type { PulseThrottle } from './pulses.ts';
import type { ReceiptChain } from './receipt-chain.ts';

/** What the gateway runs with: the use cases' core, a logger, and the registry of live sessions. */
export interface GatewayDeps extends Core {
  log: Logger;
  sessions: SessionDirectory;
}

/** Where live sessions register, by agent id (the engine's AgentLink, api/klp/registry.ts). */
export interface SessionDirectory {
  attach(agentId: string, session: LinkedSession): void;
  detach(agentId: string, session: LinkedSession): void;
}

/** What the registry needs of a session to deliver to it. */
export interface LinkedSession {
  /** Pushes a lease; failures are logged by the session, never thrown. */
  sendTaskRequest(task: Task): void;
  /** Tells the agent to stop a task; with `ackBy` (a cancel), to acknowledge by then. */
  sendRollback(task: Pick<Task, 'id' | 'epoch'>, reason: string, ackBy?: number | null): void;
  close(code: number, reason: string): void;
  /** The Ed25519 public key its hello proved. */
  readonly provenKey: string | undefined;
}

/** An authenticated session as the frame handlers (dispatch.ts) see it. */
export interface KlpPeer {
  readonly id: string;
  readonly deps: GatewayDeps;
  readonly identity: Identity | null;
  readonly agentId: string;
  /** The agent this session acts as, with the key its hello proved. */
  readonly actor: Actor;
  readonly chain: ReceiptChain;
  readonly pulses: PulseThrottle;
  send<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    extra?: Pick<EnvelopeFields<T>, 'context' | 'task_id' | 'priority'>,
  ): void;
  sendError(code: string, message: string, replyTo?: string): void;
  alert(code: string, reason: string, env?: AnyEnvelope, name?: string): void;
  close(code: number, reason: string): void;
  record(
    e: Omit<NewEvent, 'at' | 'actor' | 'goalId' | 'taskId' | 'agentId'> & Partial<NewEvent>,
  ): Promise<void>;
}
