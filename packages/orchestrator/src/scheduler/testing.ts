/** Test fixtures for the scheduler: plain builders and fast-check arbitraries. Not used at runtime. */
import fc from 'fast-check';
import { PRIORITIES } from '@kos/protocol';
import type { AgentState } from '../registry/agent.ts';
import type { RoundGoal } from './fair-queue.ts';
import type { RoundAgent, RoundTask, SchedulingPolicy } from './score.ts';

export function agent(id: string, over: Partial<RoundAgent> = {}): RoundAgent {
  return {
    id,
    skills: ['code'],
    maxParallel: 2,
    state: 'active',
    trust: 1,
    stats: {},
    lastAssignedAt: 0,
    active: 0,
    ...over,
  };
}

export function task(id: string, over: Partial<RoundTask> = {}): RoundTask {
  return {
    id,
    goalId: 'g1',
    skills: ['code'],
    priority: 'medium',
    readyKey: 0,
    lastAgentId: null,
    attempts: 0,
    lastFailed: false,
    concurrency: null,
    ...over,
  };
}

export function policy(
  over: { fallbackOnError?: boolean; allowCrossAgent?: boolean; trustThreshold?: number } = {},
): SchedulingPolicy {
  return {
    policies: {
      fallbackOnError: over.fallbackOnError ?? true,
      allowCrossAgent: over.allowCrossAgent ?? true,
      maxParallelTasks: 2,
      maxParallelPerGoal: 0,
    },
    security: { trustThreshold: over.trustThreshold ?? 0.5 },
  };
}

const SKILLS = ['a', 'b', 'c'];
const AGENT_STATES: AgentState[] = ['active', 'active', 'active', 'draining', 'lost', 'quarantined'];

/** Small fleets with many ties (few trust values, shared skills) so tie-breaks get exercised. */
export const agentsArb: fc.Arbitrary<RoundAgent[]> = fc.uniqueArray(
  fc.record({
    id: fc.constantFrom(...['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8']),
    skills: fc.subarray(SKILLS),
    maxParallel: fc.integer({ min: 0, max: 3 }),
    state: fc.constantFrom(...AGENT_STATES),
    trust: fc.constantFrom(0.2, 0.5, 0.9, 1),
    stats: fc.dictionary(
      fc.constantFrom(...SKILLS),
      fc.record({ succeeded: fc.nat(4), failed: fc.nat(4), totalMs: fc.constant(0) }),
    ),
    lastAssignedAt: fc.nat(3),
    active: fc.nat(3),
    // Circuit breakers: open (0) or half-open with a probe or two left, on the agent or a skill.
    breakers: fc.option(fc.dictionary(fc.constantFrom('*', ...SKILLS), fc.nat(2)), { nil: undefined }),
  }),
  { selector: (a) => a.id, maxLength: 8 },
);

export function tasksArb(agentIds: readonly string[]): fc.Arbitrary<RoundTask[]> {
  return fc.uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      goalId: fc.constantFrom(...GOALS),
      skills: fc.subarray(SKILLS, { maxLength: 2 }),
      priority: fc.constantFrom(...PRIORITIES),
      readyKey: fc.nat(5),
      lastAgentId: fc.option(fc.constantFrom('ghost', ...agentIds), { nil: null }),
      attempts: fc.nat(3),
      lastFailed: fc.boolean(),
      experimental: fc.boolean(),
      // Agents of the task's delegation chain: never given it.
      excludedAgents: fc.subarray([...agentIds], { maxLength: Math.min(2, agentIds.length) }),
      concurrency: fc.option(
        fc.record({ key: fc.constantFrom(...KEYS), limit: fc.integer({ min: 1, max: 3 }) }),
        {
          nil: null,
        },
      ),
    }),
    { selector: (t) => t.id, maxLength: 14 },
  );
}

const GOALS = ['g1', 'g1', 'g2', 'g3'];
const KEYS = ['db', 'api'];

/** Some of the goals, with their leases, limits and weights. */
export const goalsArb: fc.Arbitrary<Map<string, RoundGoal>> = fc
  .subarray(['g1', 'g2', 'g3'])
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc
          .record({
            leased: fc.nat(3),
            maxParallel: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
            weight: fc.integer({ min: 1, max: 4 }),
          })
          .map((g): [string, RoundGoal] => [id, g]),
      ),
    ),
  )
  .map((entries) => new Map(entries));

/** Leases held now for some of the concurrency keys. */
export const keyLeasesArb: fc.Arbitrary<Map<string, number>> = fc
  .subarray(KEYS)
  .chain((keys) => fc.tuple(...keys.map((k) => fc.nat(3).map((n): [string, number] => [k, n]))))
  .map((entries) => new Map(entries));

export const policyArb: fc.Arbitrary<SchedulingPolicy> = fc
  .record({
    fallbackOnError: fc.boolean(),
    allowCrossAgent: fc.boolean(),
    trustThreshold: fc.constantFrom(0, 0.5, 0.8),
  })
  .map((p) => policy(p));

/** Agents, ready tasks (of up to three goals) that may name them as last agent, a policy, goals and key leases. */
export const roundArb = agentsArb.chain((agents) =>
  fc.record({
    agents: fc.constant(agents),
    tasks: tasksArb(agents.map((a) => a.id)),
    policy: policyArb,
    goals: goalsArb,
    keyLeases: keyLeasesArb,
  }),
);
