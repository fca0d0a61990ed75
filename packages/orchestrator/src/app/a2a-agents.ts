import { KosError } from '@kos/protocol';
import { fetchCard, type FetchedCard } from '../links/a2a/card.ts';
import { skillsOf } from '../links/a2a/mapping.ts';
import type { Agent } from '../registry/agent.ts';
import type { A2aRemoteRecord } from '../store/records.ts';
import { actorId, type Actor, type Core } from './core.ts';

export interface A2aAgentRequest {
  /** The Agent Card's URL (e.g. `https://host/.well-known/agent-card.json`). */
  url: string;
  /** The kOS agent name; the card's name by default. */
  name?: string | undefined;
  /** The bearer token kOS sends the remote; none by default. */
  token?: string | undefined;
  maxParallel?: number | undefined;
}

export interface A2aAgentView {
  agent: Agent;
  remote: A2aRemoteRecord;
}

/** kOS agent names: what the REST registration accepts (no leading space, at most 200). */
function nameOf(card: FetchedCard, asked: string | undefined): string {
  const name = (asked ?? card.card.name).trim().slice(0, 200);
  if (name === '') throw new KosError('KOS_ERR_VALIDATION', 'the agent name is empty');
  return name;
}

/**
 * Registers a remote A2A agent from its card: fetched and checked first (a bad card changes
 * nothing), then the agent with the card's skills and the remote's card and token, in one
 * transaction. Adding the same card URL again refreshes its card, skills and token.
 */
export async function addA2aAgent(
  core: Core,
  actor: Actor,
  req: A2aAgentRequest,
  fetch: (url: string) => Promise<FetchedCard> = fetchCard,
): Promise<A2aAgentView & { created: boolean }> {
  const card = await fetch(req.url);
  const skills = skillsOf(card.card, core.config.limits.maxSkillsPerEntity);
  if (skills.length === 0) {
    throw new KosError(
      'KOS_ERR_A2A_CARD_INVALID',
      `the Agent Card at ${req.url} has no skill id or tag usable as a kOS skill ([A-Za-z0-9_.:/-], at most 100)`,
      { url: req.url },
    );
  }
  const cardUrl = new URL(req.url).href;
  const known = await core.store.read(async (tx) => {
    const remote = (await tx.listA2aRemotes()).find((r) => r.cardUrl === cardUrl);
    return remote ? tx.getAgent(remote.agentId) : null;
  });
  const { agent, remote, created } = await core.store.putA2aRemote(actorId(actor), {
    name: nameOf(card, req.name ?? known?.name),
    skills,
    maxParallel: req.maxParallel,
    cardUrl,
    card: card.json,
    token: req.token ?? null,
  });
  return { agent, remote, created };
}

/** The remote A2A agents with their kOS agents. */
export async function listA2aAgents(core: Core): Promise<A2aAgentView[]> {
  return core.store.read(async (tx) => {
    const out: A2aAgentView[] = [];
    for (const remote of await tx.listA2aRemotes()) {
      const agent = await tx.getAgent(remote.agentId);
      if (agent) out.push({ agent, remote });
    }
    return out;
  });
}

/** Unregisters a remote A2A agent (its leases are revoked and its remote tasks cancelled). */
export async function removeA2aAgent(core: Core, actor: Actor, agentId: string) {
  return core.store.removeA2aRemote(actorId(actor), agentId);
}
