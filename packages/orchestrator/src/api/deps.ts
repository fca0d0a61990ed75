import type { Core } from '../app/core.ts';
import type { EventFeed } from '../cluster/event-feed.ts';
import type { Authenticator } from './auth.ts';
import type { SessionRegistry } from './klp/registry.ts';

/** What the HTTP layer needs from the running orchestrator: the use cases' core and its own parts. */
export interface ApiDeps extends Core {
  auth: Authenticator;
  /** Agents connected over KLP. */
  sessions: SessionRegistry;
  /** Every committed event, this replica's and the others' (the live stream's source). */
  events: Pick<EventFeed, 'subscribe'>;
  /** False while starting or stopping. */
  accepting(): boolean;
}
