import type { GoalState } from '../scheduler/goal.ts';
import type { Task, TaskState } from '../scheduler/task.ts';
import type { NewEvent } from './records.ts';
import type { Lease } from './verbs/assign.ts';

/**
 * The effects of a commit, as data. Every store transaction that committed and changed something
 * an outsider reacts to is published once, after its COMMIT, as one `CommitEffects` record: the
 * engine pushes its leases, tells the holders of its revoked leases, requests a round and counts
 * its transitions; live event streams read its events. Adapters do none of this by hand.
 *
 * Promises: a record is published only after its transaction committed, never for one rolled
 * back, and once even when group commit redid the transaction's batch (each attempt collects
 * afresh; only the committed one is published). Records of one batch are published in commit
 * order (its transactions in order, then the batch hook's round), synchronously after the COMMIT
 * and before any caller of the batch is answered.
 */
export interface CommitEffects {
  /** Leases granted (an assignment round). */
  leases: Lease[];
  /** Leases that ended without their holder's own report: the holders must be told to stop. */
  revoked: RevokedLease[];
  /** Task and goal state changes, from the `task.state` and `goal.state` events. */
  transitions: Transition[];
  /** The events appended, in order. */
  events: NewEvent[];
  /**
   * The transaction may let a round place work (it readied tasks or freed an agent's slots). On
   * the leader its batch already ended with a round (Store.afterPlaceable); elsewhere the leader
   * is to be asked for one.
   */
  placeable: boolean;
  /** Set when this commit was an assignment round: how long it took, scoring through commit. */
  round: { seconds: number } | null;
}

/**
 * A lease that ended without its holder's report: revoked (agent lost, unregistered, quarantined,
 * lease expired, timed out), or its task cancelled while leased (then `ackBy` is set).
 */
export interface RevokedLease {
  /** The task after the change: ready again, retrying, dead, cancelled, or `cancelling`. */
  task: Task;
  /** The holder whose lease ended, and the lease's epoch. */
  agentId: string;
  epoch: number;
  /** For a task being cancelled: when its holder must have acknowledged the stop (epoch ms). */
  ackBy: number | null;
}

export type Transition =
  | { entity: 'task'; taskId: string; goalId: string; agentId: string | null; from: TaskState; to: TaskState }
  | { entity: 'goal'; goalId: string; from: GoalState; to: GoalState };

/**
 * Collects the effects of one attempt of one transaction. The verbs feed it at the few places
 * where effects arise: `EventBatch.flush` (events), `endLease`/`stopTask` (revoked leases),
 * `assignRound` (leases). The store makes a new one for every attempt.
 */
export class EffectsCollector {
  private readonly granted: Lease[] = [];
  private readonly ended: RevokedLease[] = [];
  private readonly appended: NewEvent[] = [];

  leased(leases: readonly Lease[]): void {
    this.granted.push(...leases);
  }

  /** `task` (after the change) is no longer leased to `holder`, who did not report it. */
  revoked(task: Task, holder: { agentId: string; epoch: number }): void {
    const ackBy = task.state === 'cancelling' ? task.leaseExpiresAt : null;
    this.ended.push({ task, agentId: holder.agentId, epoch: holder.epoch, ackBy });
  }

  events(events: readonly NewEvent[]): void {
    this.appended.push(...events);
  }

  /** The leases revoked so far in this transaction (a verb's reply may list them). */
  get revocations(): readonly RevokedLease[] {
    return this.ended;
  }

  /** The record to publish, or null when nothing happened that anyone is told about. */
  record(placeable: boolean, round: CommitEffects['round'] = null): CommitEffects | null {
    const sizes = this.appended.length + this.granted.length + this.ended.length;
    if (!placeable && round === null && sizes === 0) return null;
    return {
      leases: this.granted,
      revoked: this.ended,
      transitions: this.appended.flatMap(transitionOf),
      events: this.appended,
      placeable,
      round,
    };
  }
}

function transitionOf(e: NewEvent): Transition[] {
  const from = e.data['from'];
  const to = e.data['to'];
  if (typeof from !== 'string' || typeof to !== 'string' || e.goalId === null) return [];
  if (e.kind === 'task.state' && e.taskId !== null) {
    return [
      {
        entity: 'task',
        taskId: e.taskId,
        goalId: e.goalId,
        agentId: e.agentId,
        from: from as TaskState,
        to: to as TaskState,
      },
    ];
  }
  if (e.kind === 'goal.state') {
    return [{ entity: 'goal', goalId: e.goalId, from: from as GoalState, to: to as GoalState }];
  }
  return [];
}

export type CommitListener = (effects: CommitEffects) => void;

/**
 * Where the store publishes its CommitEffects. Listeners run synchronously, in subscription
 * order; one that throws is reported to `onError` and neither stops the others nor reaches the
 * verb's caller (its transaction committed: the caller must hear so).
 */
export class CommitStream {
  private readonly listeners = new Set<CommitListener>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Returns the function that unsubscribes. */
  subscribe(listener: CommitListener): () => void {
    // A wrapper, so one function subscribed twice is told twice and unsubscribed once per call.
    const entry: CommitListener = (e) => listener(e);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  publish(effects: CommitEffects | null): void {
    if (effects === null) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(effects);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
