import { StreamResponse } from '@a2a-js/sdk';
import { getA2aGoal } from '../../app/index.ts';
import type { ApiDeps } from '../deps.ts';
import type { PushOutcome, PushSender } from './push-sender.ts';
import { isFinalA2aState } from './state-map.ts';
import { a2aTask, progressKey } from './task-view.ts';

/**
 * Push notifications driven by the committed events: each event of a goal schedules one look at
 * it (events that arrive meanwhile fold into one more), and when its A2A task changed (state, or
 * a task's state) since the last push, the task is POSTed to each of its push configs. Runs only
 * when a2a.push_allowlist is set. At least once: a restart sends the current state again, and
 * every replica follows the same feed, so N replicas may push the same update N times.
 */
export class PushDispatcher {
  private stop: (() => void) | null = null;
  private readonly busy = new Map<string, boolean>();
  /** Per goal, per config id: the progress key last pushed (what changed since is pushed next). */
  private readonly sent = new Map<string, Map<string, string>>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly deps: ApiDeps,
    private readonly sender: PushSender,
    private readonly log: { info(o: object, m: string): void; warn(o: object, m: string): void },
    /** Told of every delivery attempt's outcome (tests, metrics). */
    private readonly onOutcome: (goalId: string, url: string, outcome: PushOutcome) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.stop = await this.deps.events.subscribe((e) => {
      if (e.goalId !== null) this.schedule(e.goalId);
    });
  }

  async close(): Promise<void> {
    this.stop?.();
    this.stop = null;
    await Promise.allSettled([...this.inflight]);
  }

  private schedule(goalId: string): void {
    const running = this.busy.get(goalId);
    if (running !== undefined) {
      this.busy.set(goalId, true); // look once more when the current look ends
      return;
    }
    this.busy.set(goalId, false);
    const p = this.look(goalId)
      .catch((err: unknown) => this.log.warn({ err, goal_id: goalId }, 'A2A push could not read its goal'))
      .finally(() => {
        this.inflight.delete(p);
        const again = this.busy.get(goalId) === true;
        this.busy.delete(goalId);
        if (again && this.stop !== null) this.schedule(goalId);
      });
    this.inflight.add(p);
  }

  private async look(goalId: string): Promise<void> {
    const configs = await this.deps.store.read((tx) => tx.listA2aPushConfigs(goalId));
    if (configs.length === 0) return;
    const { contextId, ...s } = await getA2aGoal(this.deps, goalId);
    const key = progressKey(s);
    const sent = this.sent.get(goalId) ?? new Map<string, string>();
    this.sent.set(goalId, sent);
    // Per config: one added later gets the current state at once, the others only changes.
    const due = configs.filter((c) => sent.get(c.id) !== key);
    if (due.length === 0) return;
    const task = a2aTask(s, contextId);
    const body = JSON.stringify(StreamResponse.toJSON({ payload: { $case: 'task', value: task } }));
    await Promise.all(
      due.map(async (c) => {
        sent.set(c.id, key);
        const outcome = await this.sender.deliver(c, body);
        this.onOutcome(goalId, c.url, outcome);
        if (outcome.kind !== 'delivered')
          this.log.warn({ goal_id: goalId, url: c.url, ...outcome }, 'A2A push not delivered');
      }),
    );
    if (isFinalA2aState(task.status?.state ?? 0)) this.sent.delete(goalId);
  }
}
