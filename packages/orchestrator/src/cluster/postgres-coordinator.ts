import pg from 'pg';
import type { Logger } from 'pino';
import type { Channel, Coordinator } from './coordinator.ts';

/** The advisory lock whose holder is the leader (an arbitrary constant: "kos" + 1). */
const LEADER_LOCK = 0x6b6f7301;
/** NOTIFY payloads are limited to 8000 bytes; larger messages are split by the caller's lists. */
const MAX_PAYLOAD = 7_900;
const CHANNELS: readonly Channel[] = ['round', 'leases', 'revoked', 'events'];
const pgChannel = (c: Channel) => `kos_${c}`;

/**
 * Leader election and wake-ups over PostgreSQL. A dedicated connection LISTENs and, every
 * `retryMs`, tries `pg_try_advisory_lock`: the replica that holds it runs the singleton duties.
 * The lock belongs to the session, so if the leader's process dies (or its connection breaks),
 * PostgreSQL releases it and another replica takes over at its next try. A broken connection is
 * replaced; leadership is given up at once when it breaks.
 */
export class PostgresCoordinator implements Coordinator {
  readonly shared = true;
  private client: pg.Client | null = null;
  private isLeader = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly leadershipListeners: ((leader: boolean) => void)[] = [];
  private readonly subscribers = new Map<Channel, ((payload: string) => void)[]>();

  private constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly retryMs: number,
  ) {}

  static async start(url: string, log: Logger, retryMs = 1000): Promise<PostgresCoordinator> {
    const c = new PostgresCoordinator(url, log, retryMs);
    await c.tick();
    return c;
  }

  get leader(): boolean {
    return this.isLeader;
  }

  onLeadership(fn: (leader: boolean) => void): void {
    this.leadershipListeners.push(fn);
    if (this.isLeader) queueMicrotask(() => fn(true));
  }

  async publish(channel: Channel, payload: string): Promise<void> {
    if (Buffer.byteLength(payload) > MAX_PAYLOAD)
      throw new Error(`${channel} message over ${MAX_PAYLOAD} bytes`);
    const client = await this.connection();
    await client.query('SELECT pg_notify($1, $2)', [pgChannel(channel), payload]);
  }

  subscribe(channel: Channel, fn: (payload: string) => void): void {
    this.subscribers.set(channel, [...(this.subscribers.get(channel) ?? []), fn]);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.setLeader(false);
    await client?.end().catch(() => undefined);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3000 });
    client.on('error', (err) => {
      this.log.warn({ err }, 'coordination connection lost');
      if (this.client === client) this.client = null;
      this.setLeader(false);
      void client.end().catch(() => undefined);
    });
    client.on('notification', (msg) => {
      const channel = CHANNELS.find((c) => pgChannel(c) === msg.channel);
      if (!channel) return;
      for (const fn of this.subscribers.get(channel) ?? []) fn(msg.payload ?? '');
    });
    await client.connect();
    for (const c of CHANNELS) await client.query(`LISTEN ${pgChannel(c)}`);
    this.client = client;
    return client;
  }

  /** One election attempt; schedules the next. */
  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      const client = await this.connection();
      if (!this.isLeader) {
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
        if (r.rows[0]?.ok) this.setLeader(true);
      }
    } catch (err) {
      this.log.warn({ err }, 'coordination: database unreachable, retrying');
      this.setLeader(false);
    }
    if (!this.closed) {
      this.timer = setTimeout(() => void this.tick(), this.retryMs);
      this.timer.unref();
    }
  }

  private setLeader(leader: boolean): void {
    if (this.isLeader === leader) return;
    this.isLeader = leader;
    this.log.info({ leader }, leader ? 'this replica now runs the singleton duties' : 'leadership lost');
    for (const fn of this.leadershipListeners) fn(leader);
  }
}
