/**
 * The use cases: every operation a user or an agent can perform, whatever door it came through
 * (REST, KLP, MCP, A2A, dashboard). Each takes the core, an actor and a typed input and returns
 * domain records; adapters parse, call one, and render. Defaults, limits, feasibility and which
 * agent acts are decided here and nowhere else.
 */
export { actorId, agentActor, tokenActor, SYSTEM, type Actor, type Core } from './core.ts';
export * from './goals.ts';
export * from './tasks.ts';
export * from './agents.ts';
export * from './agent-keys.ts';
export * from './scheduler.ts';
export * from './tokens.ts';
export * from './audit.ts';
export type { Paged, PageRequest } from './paging.ts';
export * from './planning.ts';
export * from './kpis.ts';
export * from './receipt.ts';
export * from './a2a.ts';
export * from './a2a-agents.ts';
