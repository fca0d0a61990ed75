import { KosError } from '@kos/protocol';
import type { Config } from '../config/types.ts';
import type { AgentCaller } from '../registry/identity.ts';
import type { TaskError } from '../scheduler/task.ts';
import type { Backend, ReadTx, Tx } from './backend.ts';
import { CommitStream, EffectsCollector, type CommitEffects, type RevokedLease } from './effects.ts';
import type { A2aPushConfig, NewEvent, TokenRecord } from './records.ts';
import { assignRound, type Lease } from './verbs/assign.ts';
import {
  drainAgent,
  drainAgentByOperator,
  heartbeat,
  recoverAfterRestart,
  sweepSilentAgents,
  unregisterAgent,
} from './verbs/agents.ts';
import type { VerbContext } from './verbs/context.ts';
import type { InFlight } from './verbs/agents.ts';
import { reportProgress, returnTask } from './verbs/progress.ts';
import { registerAgent, type Registration } from './verbs/registration.ts';
import type { Report } from './verbs/leases.ts';
import { cancelGoal, submitGoal, type GoalSubmission } from './verbs/goals.ts';
import { cancelTask } from './verbs/cancel.ts';
import { deleteA2aPushConfig, setA2aPushConfig } from './verbs/a2a.ts';
import { handOff, resolveAgent, type HandOff } from './verbs/delegation.ts';
import { completeTask, failTask, promoteDueRetries, sweepExpiredLeases } from './verbs/leases.ts';
import { approveTask, denyTask, retryTask } from './verbs/operator.ts';
import {
  quarantineAgent,
  releaseAgent,
  revokeQuarantinedLeases,
  type QuarantineRequest,
} from './verbs/quarantine.ts';
import { sweepTimeouts } from './verbs/timeouts.ts';
import { rebindAgentKey, type KeyChange } from './verbs/agent-keys.ts';
import { putA2aRemote, removeA2aRemote, type A2aRemoteInput } from './verbs/a2a-remotes.ts';

export interface Clock {
  /** Milliseconds since the epoch, never going backwards within a process. */
  now(): number;
}

/** Wall-clock time that never steps back: leases are judged on it. */
export const monotonicClock: Clock = (() => {
  const origin = Date.now() - performance.now();
  return { now: () => Math.floor(origin + performance.now()) };
})();

export interface StoreOptions {
  clock?: Clock;
  /** Jitter source for retry delays. */
  random?: () => number;
  /** Told when a subscriber of `effects` throws (the verb's caller is not). */
  onListenerError?: (err: unknown) => void;
}

/**
 * The domain verbs, each one atomic transaction on the backend. The verbs are written once
 * (store/verbs) over the backend's row operations, so every backend behaves the same. What each
 * committed transaction did is published on `effects` (store/effects.ts).
 */
export class Store {
  /** One CommitEffects record per committed transaction that changed something, in commit order. */
  readonly effects: CommitStream;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(
    readonly backend: Backend,
    private readonly config: Config,
    options: StoreOptions = {},
  ) {
    this.clock = options.clock ?? monotonicClock;
    this.random = options.random ?? Math.random;
    this.effects = new CommitStream(
      options.onListenerError ?? ((err) => console.error('a commit-effects listener failed', err)),
    );
  }

  /**
   * Runs a verb as one transaction and publishes its effects once it committed. Every event a
   * verb writes carries the actor, so the event log already says who did what; no separate audit
   * entry is written per action.
   */
  private run<T>(
    actor: string,
    fn: (tx: Tx, ctx: VerbContext) => Promise<T>,
    placeable?: (value: T) => boolean,
  ): Promise<T> {
    // Group commit may run `fn` again (a redone batch): each attempt collects its own effects,
    // and only the one that committed is published.
    let effects: EffectsCollector | undefined;
    return this.backend.transaction(
      (tx) => {
        effects = new EffectsCollector();
        // The clock is read when the transaction runs, not when it was queued.
        return fn(tx, this.context(actor, effects));
      },
      {
        wantsHook: placeable,
        committed: (value) => this.effects.publish(effects?.record(placeable?.(value) ?? false) ?? null),
      },
    );
  }

  private context(actor: string, effects: EffectsCollector): VerbContext {
    return { now: this.clock.now(), actor, config: this.config, random: this.random, effects };
  }

  /** One assignment round in `tx`; its record says how long it took. */
  private async round(tx: Tx, actor: string): Promise<{ leases: Lease[]; effects: CommitEffects | null }> {
    const effects = new EffectsCollector();
    const started = performance.now();
    const leases = await assignRound(tx, this.context(actor, effects));
    return { leases, effects: effects.record(false, { seconds: (performance.now() - started) / 1000 }) };
  }

  /**
   * Ends every commit batch in which a verb may have made work placeable (readied tasks, freed an
   * agent's slots) with an assignment round in the same transaction when `hook.round()` says so,
   * so what a result readied is leased in its commit. The round's effects are published after the
   * batch's (leases included); `failed` is told if the round threw (only its writes are undone).
   * Null removes the hook.
   */
  afterPlaceable(hook: { round(): boolean; failed(error: unknown): void } | null): void {
    this.backend.setBatchHook(
      hook && {
        run: async (tx) => (hook.round() ? (await this.round(tx, 'system')).effects : null),
        committed: (value) => this.effects.publish(value as CommitEffects | null),
        failed: (error) => hook.failed(error),
      },
    );
  }

  /** Appends events that belong to no verb (KLP sessions, signed receipts, security alerts). */
  record(events: readonly NewEvent[]): Promise<void> {
    return this.run('system', (tx, ctx) => appendAll(tx, ctx, events));
  }

  /** Records an accepted action that is not a store verb (e.g. issuing a token). */
  audit(actor: string, action: string, data: Record<string, unknown>): Promise<void> {
    if (!this.config.security.auditAllActions) return Promise.resolve();
    return this.run(actor, (tx, ctx) => appendAll(tx, ctx, [auditEvent(ctx, action, { data })]));
  }

  /**
   * Revokes a token; always recorded (an `audit` event `token.revoke`, whatever
   * security.audit_all_actions says): every replica's feed carries it, and each forgets the token.
   */
  revokeToken(actor: string, tokenId: string): Promise<TokenRecord> {
    return this.run(actor, async (tx, ctx) => {
      const token = (await tx.listTokens()).find((t) => t.id === tokenId);
      if (!token)
        throw new KosError('KOS_ERR_TOKEN_NOT_FOUND', `no token has id ${tokenId}; see kos token list`);
      if (token.revokedAt !== null) {
        throw new KosError('KOS_ERR_TOKEN_REVOKED', `token ${tokenId} was already revoked`, {
          token_id: tokenId,
          revoked_at: new Date(token.revokedAt).toISOString(),
        });
      }
      const revoked = { ...token, revokedAt: ctx.now };
      await tx.putToken(revoked);
      const data = { token_id: token.id, role: token.role, agent_name: token.agentName };
      await appendAll(tx, ctx, [auditEvent(ctx, TOKEN_REVOKED, { data })]);
      return revoked;
    });
  }

  /** Moves an agent's name to another key, or unbinds it (verbs/agent-keys.ts); always audited. */
  rebindAgentKey(actor: string, agentId: string, change: KeyChange) {
    return this.run(actor, (tx, ctx) => rebindAgentKey(tx, ctx, agentId, change));
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.backend.read(fn);
  }

  now(): number {
    return this.clock.now();
  }

  /** A new or returning agent has free slots: its batch ends with a round (see afterPlaceable). */
  registerAgent(actor: string, input: Registration) {
    return this.run(actor, (tx, ctx) => registerAgent(tx, ctx, input), placeable);
  }
  heartbeat(actor: string, caller: AgentCaller, inFlight?: readonly InFlight[]) {
    return this.run(
      actor,
      (tx, ctx) => heartbeat(tx, ctx, caller, inFlight),
      (r) => r.revived,
    );
  }
  drainAgent(actor: string, caller: AgentCaller, mode: 'finish' | 'return') {
    return this.run(actor, (tx, ctx) => drainAgent(tx, ctx, caller, mode), placeable);
  }
  /** Operator: the agent takes no new task; those it holds finish. */
  drainAgentByOperator(actor: string, agentId: string, reason: string) {
    return this.run(actor, (tx, ctx) => drainAgentByOperator(tx, ctx, agentId, reason));
  }
  reportProgress(actor: string, report: Report & { progress: number; checkpoint?: unknown }) {
    return this.run(actor, (tx, ctx) => reportProgress(tx, ctx, report));
  }
  returnTask(actor: string, report: Report) {
    return this.run(actor, (tx, ctx) => returnTask(tx, ctx, report), placeable);
  }
  unregisterAgent(actor: string, caller: AgentCaller) {
    return this.run(actor, (tx, ctx) => unregisterAgent(tx, ctx, caller), placeable);
  }
  submitGoal(actor: string, sub: GoalSubmission) {
    return this.run(actor, (tx, ctx) => submitGoal(tx, ctx, sub), placeable);
  }
  cancelGoal(actor: string, goalId: string, reason: string) {
    return this.run(actor, (tx, ctx) => cancelGoal(tx, ctx, goalId, reason), placeable);
  }
  /** One assignment round now, in a transaction of its own; returns its leases. */
  assignRound(actor: string): Promise<Lease[]> {
    let round: CommitEffects | null = null;
    return this.backend.transaction(
      async (tx) => {
        const ran = await this.round(tx, actor);
        round = ran.effects;
        return ran.leases;
      },
      { committed: () => this.effects.publish(round) },
    );
  }
  completeTask(actor: string, report: Report & { result: unknown }) {
    return this.run(actor, (tx, ctx) => completeTask(tx, ctx, report), placeable);
  }
  failTask(actor: string, report: Report & { error: TaskError }) {
    return this.run(
      actor,
      async (tx, ctx) => {
        const failed = await failTask(tx, ctx, report);
        // The failure may have quarantined its agent: its other leases end in this transaction too.
        await revokeQuarantinedLeases(tx, ctx, [report.agentId]);
        return failed;
      },
      placeable,
    );
  }
  /** Isolates an agent (operator, or the KLP gateway on a forged frame) and revokes its leases. */
  quarantineAgent(actor: string, agentId: string, request: QuarantineRequest) {
    return this.run(actor, (tx, ctx) => quarantineAgent(tx, ctx, agentId, request), placeable);
  }
  /** Operator: a quarantined agent may register again, its failure counts and breakers reset. */
  releaseAgent(actor: string, agentId: string, reason: string) {
    return this.run(actor, (tx, ctx) => releaseAgent(tx, ctx, agentId, reason), placeable);
  }
  /** Cancels one task; a leased one is told to stop (cancelling) and its dependents are skipped. */
  cancelTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => cancelTask(tx, ctx, taskId, reason), placeable);
  }
  /** The holder declines or delegates its task; `to` names an agent (name or id). */
  async handOff(actor: string, report: Omit<HandOff, 'to'> & { to?: string | undefined }) {
    const { to: named, ...rest } = report;
    const to = named === undefined ? null : await this.read((tx) => resolveAgent(tx, named));
    return this.run(actor, (tx, ctx) => handOff(tx, ctx, { ...rest, to }), placeable);
  }
  /** Operator: a dead task is ready again with more attempts; its goal and skipped tasks reopen. */
  retryTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => retryTask(tx, ctx, taskId, reason), placeable);
  }
  /** Operator: a task awaiting approval is ready. */
  approveTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => approveTask(tx, ctx, taskId, reason), placeable);
  }
  /** Operator: a task awaiting approval dies; returns the leases its goal's policy ended. */
  denyTask(actor: string, taskId: string, reason: string) {
    return this.run(actor, (tx, ctx) => denyTask(tx, ctx, taskId, reason), placeable);
  }
  /**
   * One sweep of the periodic duties; returns what it did, for the log and tests (the leases it
   * ended are its effects, told to their holders once it commits). `timedOut`: leases ended by a
   * start-to-close timeout (and any its goal's policy ended); `quarantined`: the other leases of
   * agents those lost leases quarantined (lifecycle.max_crashes…).
   */
  sweep(): Promise<{
    lostAgents: number;
    lost: RevokedLease[];
    expired: RevokedLease[];
    timedOut: RevokedLease[];
    quarantined: RevokedLease[];
    promoted: number;
  }> {
    return this.run(
      'system',
      async (tx, ctx) => {
        const ended = ctx.effects.revocations;
        /** The leases `step` ended (this transaction's revocations while it ran). */
        const endedBy = async (step: () => Promise<unknown>) => {
          const from = ended.length;
          await step();
          return ended.slice(from);
        };
        let lostAgents = 0;
        const lost = await endedBy(async () => (lostAgents = (await sweepSilentAgents(tx, ctx)).lost.length));
        const expired = await endedBy(() => sweepExpiredLeases(tx, ctx));
        const timedOut = await endedBy(() => sweepTimeouts(tx, ctx));
        const holders = ended.map((r) => r.agentId);
        const quarantined = await endedBy(() => revokeQuarantinedLeases(tx, ctx, holders));
        const promoted = await promoteDueRetries(tx, ctx);
        return { lostAgents, lost, expired, timedOut, quarantined, promoted };
      },
      (s) => s.lostAgents > 0 || s.promoted > 0 || s.lost.length + s.expired.length + s.timedOut.length > 0,
    );
  }
  /** Keeps (or replaces) a push config of an A2A task; its URL was checked by the use case. */
  setA2aPushConfig(actor: string, config: Omit<A2aPushConfig, 'createdAt'>) {
    return this.run(actor, (tx, ctx) => setA2aPushConfig(tx, ctx, config));
  }
  deleteA2aPushConfig(actor: string, goalId: string, id: string) {
    return this.run(actor, (tx, ctx) => deleteA2aPushConfig(tx, ctx, goalId, id));
  }
  /** A remote A2A agent registered from its card (verbs/a2a-remotes.ts); always audited. */
  putA2aRemote(actor: string, input: A2aRemoteInput) {
    return this.run(actor, (tx, ctx) => putA2aRemote(tx, ctx, input), placeable);
  }
  removeA2aRemote(actor: string, agentId: string) {
    return this.run(actor, (tx, ctx) => removeA2aRemote(tx, ctx, agentId), placeable);
  }
  recoverAfterRestart() {
    return this.run('system', (tx, ctx) => recoverAfterRestart(tx, ctx), placeable);
  }
}

/** For verbs that may always make work placeable: they ready tasks or free slots. */
const placeable = (): boolean => true;

/** The audit action of a revocation, which replicas watch for (api/auth.ts). */
export const TOKEN_REVOKED = 'token.revoke';

async function appendAll(tx: Tx, ctx: VerbContext, events: readonly NewEvent[]): Promise<void> {
  await tx.appendEvents(events);
  ctx.effects.events(events);
}

function auditEvent(
  ctx: { now: number; actor: string },
  action: string,
  extra: Partial<Pick<NewEvent, 'data'>>,
): NewEvent {
  return {
    at: ctx.now,
    kind: 'audit',
    actor: ctx.actor,
    goalId: null,
    taskId: null,
    agentId: null,
    data: { action, ...extra.data },
  };
}
