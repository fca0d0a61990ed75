import type { Config } from '../../config/types.ts';
import type { EffectsCollector } from '../effects.ts';
import type { NewEvent } from '../records.ts';
import type { Tx } from '../backend.ts';

/** What every verb runs with: one clock reading, the caller, policy, and randomness for jitter. */
export interface VerbContext {
  now: number;
  /** A token id, `agent:<id>` or `system`. */
  actor: string;
  config: Config;
  random: () => number;
  /** What this transaction did that others react to once it commits (store/effects.ts). */
  effects: EffectsCollector;
}

/** Collects the events of one verb and appends them in one call before it returns. */
export class EventBatch {
  readonly events: NewEvent[] = [];

  constructor(private readonly ctx: VerbContext) {}

  add(e: Omit<NewEvent, 'at' | 'actor' | 'goalId' | 'taskId' | 'agentId'> & Partial<NewEvent>): void {
    this.events.push({
      at: this.ctx.now,
      actor: this.ctx.actor,
      goalId: null,
      taskId: null,
      agentId: null,
      ...e,
    });
  }

  async flush(tx: Tx): Promise<void> {
    if (this.events.length === 0) return;
    const events = this.events.splice(0);
    await tx.appendEvents(events);
    this.ctx.effects.events(events);
  }
}
