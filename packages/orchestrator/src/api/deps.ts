import type { Config } from '../config/types.ts';
import type { Metrics } from '../observe/index.ts';
import type { Reconciler } from '../observe/reconciler.ts';
import type { TemplateLibrary } from '../planner/index.ts';
import type { Lease } from '../store/verbs/assign.ts';
import type { Store } from '../store/store.ts';
import type { Authenticator } from './auth.ts';
import type { SessionRegistry } from './klp/registry.ts';

/** What the HTTP layer needs from the running orchestrator. */
export interface ApiDeps {
  config: Config;
  store: Store;
  templates: TemplateLibrary;
  metrics: Metrics;
  auth: Authenticator;
  /** Agents connected over KLP. */
  sessions: SessionRegistry;
  startedAt: number;
  /** Runs one assignment round now (POST /assign). */
  assignNow(actor: string): Promise<Lease[]>;
  /** False while starting or stopping. */
  accepting(): boolean;
  /** The periodic invariant check; it runs on the leader, so another replica shows no runs. */
  reconciler: Pick<Reconciler, 'runs' | 'roundsRequested' | 'last'>;
}
