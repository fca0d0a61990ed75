import type { Task } from '../scheduler/task.ts';
import type { AgentLink, Rollback } from './agent-link.ts';

/**
 * Several links as one (the KLP sessions and the A2A bridge): each delivers to the agents it
 * reaches and skips the others, so every link is simply told everything.
 */
export class AgentLinks implements AgentLink {
  constructor(private readonly links: readonly AgentLink[]) {}

  get size(): number {
    return this.links.reduce((n, l) => n + l.size, 0);
  }

  pushLeases(tasks: readonly Task[]): void {
    for (const l of this.links) l.pushLeases(tasks);
  }

  rollback(items: readonly Rollback[]): void {
    for (const l of this.links) l.rollback(items);
  }
}
