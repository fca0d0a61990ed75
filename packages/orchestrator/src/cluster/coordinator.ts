/**
 * Coordination between orchestrator replicas that share one store. The store keeps all state;
 * the coordinator only decides who runs the singleton duties (sweeps, retry timers, assignment
 * rounds) and carries wake-ups between replicas: a round requested anywhere runs on the leader,
 * leases or revocations decided anywhere reach the replica holding the agent's connection, and
 * every replica's event feed hears that another one committed events.
 *
 * One process (embedded SQLite) uses `LocalCoordinator`: always the leader, an in-process bus.
 * Several replicas on PostgreSQL use `PostgresCoordinator`: an advisory lock elects the leader
 * (released when its session dies, so the duty moves on), LISTEN/NOTIFY carries the messages.
 */
export type Channel = 'round' | 'leases' | 'revoked' | 'events';

export interface Coordinator {
  /** Whether other replicas exist to hear `publish` (false: one process, nothing to tell). */
  readonly shared: boolean;
  /** True while this process holds the singleton duties. */
  readonly leader: boolean;
  /** Told whenever leadership is won or lost. */
  onLeadership(fn: (leader: boolean) => void): void;
  /** Delivers `payload` to every replica's subscribers of `channel`, this one included. */
  publish(channel: Channel, payload: string): Promise<void>;
  subscribe(channel: Channel, fn: (payload: string) => void): void;
  close(): Promise<void>;
}

/** The single-process coordinator: always the leader; messages stay in the process. */
export class LocalCoordinator implements Coordinator {
  readonly shared = false;
  readonly leader = true;
  private readonly subscribers = new Map<Channel, ((payload: string) => void)[]>();

  onLeadership(fn: (leader: boolean) => void): void {
    queueMicrotask(() => fn(true));
  }

  async publish(channel: Channel, payload: string): Promise<void> {
    for (const fn of this.subscribers.get(channel) ?? []) fn(payload);
  }

  subscribe(channel: Channel, fn: (payload: string) => void): void {
    this.subscribers.set(channel, [...(this.subscribers.get(channel) ?? []), fn]);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
