import type { Config } from '../config/types.ts';
import type { Metrics } from '../observe/index.ts';
import type { Reconciler } from '../observe/reconciler.ts';
import type { TemplateLibrary } from '../planner/index.ts';
import type { AgentCaller } from '../registry/identity.ts';
import type { TokenRecord } from '../store/records.ts';
import type { Lease } from '../store/verbs/assign.ts';
import type { Store } from '../store/store.ts';

/** What the use cases run against: the store, the policy, the planner's templates, the metrics. */
export interface Core {
  config: Config;
  store: Store;
  templates: TemplateLibrary;
  metrics: Metrics;
  /** Runs one assignment round now on this replica (POST /orchestration/assign). */
  assignNow(actor: string): Promise<Lease[]>;
  /** The periodic invariant check; it runs on the leader, so another replica shows no runs. */
  reconciler: Pick<Reconciler, 'runs' | 'roundsRequested' | 'last'>;
  /** When this orchestrator started (store clock), for the uptime in status. */
  startedAt: number;
}

/**
 * Who calls a use case, whatever the door: a bearer token (REST, and later MCP and A2A), an agent
 * that proved its key in a KLP session (or is proving it: its hello), or the orchestrator itself.
 */
export type Actor =
  | { kind: 'token'; token: TokenRecord }
  | { kind: 'agent'; caller: AgentCaller }
  /** An agent introducing itself (a KLP hello) before it has an id. */
  | { kind: 'newcomer'; name: string }
  | { kind: 'system' };

export const tokenActor = (token: TokenRecord): Actor => ({ kind: 'token', token });
export const agentActor = (caller: AgentCaller): Actor => ({ kind: 'agent', caller });
export const SYSTEM: Actor = { kind: 'system' };

/** The actor recorded in the event log: `token:<id>`, `agent:<id>` (`agent:<name>` in a hello) or `system`. */
export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case 'token':
      return `token:${actor.token.id}`;
    case 'agent':
      return `agent:${actor.caller.agentId}`;
    case 'newcomer':
      return `agent:${actor.name}`;
    case 'system':
      return 'system';
  }
}
