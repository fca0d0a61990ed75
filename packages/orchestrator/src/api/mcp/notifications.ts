import { InMemoryServerEventBus, type ServerEvent, type ServerEventBus } from '@modelcontextprotocol/server';
import type { ApiDeps } from '../deps.ts';
import { urisOf } from './resources.ts';
import type { McpEnv } from './tool.ts';

/**
 * The change-event bus of `subscriptions/listen` streams, fed by the committed event stream: each
 * event publishes `resource_updated` for the goal and task it concerns (the SDK delivers it to the
 * streams subscribed to that URI). It follows the event feed only while a stream is open, so an
 * orchestrator without MCP subscribers reads no events for them. A stream's notifications start
 * once the feed follows (one read of the newest seq after the stream opened).
 */
export class EventFeedBus implements ServerEventBus {
  private readonly inner: InMemoryServerEventBus;
  private listeners = 0;
  private following: Promise<() => void> | null = null;

  constructor(
    private readonly events: ApiDeps['events'],
    private readonly log: McpEnv['log'],
  ) {
    this.inner = new InMemoryServerEventBus((err) => log.error({ err }, 'MCP subscription listener failed'));
  }

  publish(event: ServerEvent): void {
    this.inner.publish(event);
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    const off = this.inner.subscribe(listener);
    if (this.listeners++ === 0) this.follow();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      if (--this.listeners === 0) this.unfollow();
    };
  }

  private follow(): void {
    const following = this.events.subscribe((e) => {
      for (const uri of urisOf(e)) this.inner.publish({ kind: 'resource_updated', uri });
    });
    following.catch((err: unknown) => {
      this.log.error({ err }, 'MCP resource notifications could not follow the event feed');
      if (this.following === following) this.following = null;
    });
    this.following = following;
  }

  private unfollow(): void {
    const following = this.following;
    this.following = null;
    void following?.then(
      (stop) => stop(),
      () => undefined,
    );
  }
}
