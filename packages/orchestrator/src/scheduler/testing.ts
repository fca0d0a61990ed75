/** Test fixtures for the scheduler: plain builders and fast-check arbitraries. Not used at runtime. */
import fc from 'fast-check';
import { PRIORITIES } from '@kos/protocol';
import type { AgentState } from '../registry/agent.ts';
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
    },
    security: { trustThreshold: over.trustThreshold ?? 0.5, auditAllActions: false },
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
  }),
  { selector: (a) => a.id, maxLength: 8 },
);

export function tasksArb(agentIds: readonly string[]): fc.Arbitrary<RoundTask[]> {
  return fc.uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      goalId: fc.constant('g1'),
      skills: fc.subarray(SKILLS, { maxLength: 2 }),
      priority: fc.constantFrom(...PRIORITIES),
      readyKey: fc.nat(5),
      lastAgentId: fc.option(fc.constantFrom('ghost', ...agentIds), { nil: null }),
      attempts: fc.nat(3),
      lastFailed: fc.boolean(),
    }),
    { selector: (t) => t.id, maxLength: 14 },
  );
}

export const policyArb: fc.Arbitrary<SchedulingPolicy> = fc
  .record({
    fallbackOnError: fc.boolean(),
    allowCrossAgent: fc.boolean(),
    trustThreshold: fc.constantFrom(0, 0.5, 0.8),
  })
  .map((p) => policy(p));

/** Agents, ready tasks that may name them as last agent, and a policy. */
export const roundArb = agentsArb.chain((agents) =>
  fc.record({ agents: fc.constant(agents), tasks: tasksArb(agents.map((a) => a.id)), policy: policyArb }),
);
