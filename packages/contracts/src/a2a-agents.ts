import { Type, type Static } from 'typebox';
import { Iso, answer, closed } from './fields.ts';
import { WireAgent } from './records.ts';

/**
 * Remote A2A agents driven as kOS workers (docs/interop.md, "A2A out"): the kOS agent and what
 * kOS keeps of the remote. Its bearer token is never shown, only whether one is set.
 */
export const WireA2aRemote = Type.Object(
  {
    card_url: Type.String(),
    /** The name the card gives itself (the kOS agent may be named otherwise). */
    card_name: Type.String(),
    /** The JSON-RPC endpoint kOS sends messages to (from the card). */
    endpoint: Type.String(),
    has_token: Type.Boolean(),
    added_at: Iso,
    updated_at: Iso,
  },
  closed,
);
export type WireA2aRemote = Static<typeof WireA2aRemote>;

export const WireA2aAgent = Type.Object({ agent: WireAgent, remote: WireA2aRemote }, closed);
export type WireA2aAgent = Static<typeof WireA2aAgent>;

export const AddA2aAgentResponse = answer({
  agent: WireAgent,
  remote: WireA2aRemote,
  /** False when the card URL was registered before (its card, skills and token were refreshed). */
  created: Type.Boolean(),
});
export type AddA2aAgentResponse = Static<typeof AddA2aAgentResponse>;

export const A2aAgentListResponse = answer({ agents: Type.Array(WireA2aAgent) });
export type A2aAgentListResponse = Static<typeof A2aAgentListResponse>;

export const RemoveA2aAgentResponse = answer({
  agent: WireAgent,
  card_url: Type.String(),
  /** Ids of the tasks whose leases it held (revoked; their remote tasks are cancelled). */
  revoked: Type.Array(Type.String()),
});
export type RemoveA2aAgentResponse = Static<typeof RemoveA2aAgentResponse>;
