import { describe, expect, it } from 'vitest';
import type { WireAgent } from '@kos/contracts';
import {
  agentActions,
  breakerViews,
  countByState,
  filterAgents,
  loadRatio,
  meanMs,
  successRatio,
} from './agent-rows.ts';

function agent(over: Partial<WireAgent> & { name: string }): WireAgent {
  return {
    id: `a-${over.name}`,
    skills: ['work'],
    max_parallel: 4,
    state: 'active',
    trust: 1,
    active_leases: 0,
    health: { consecutive_failures: 0, crashes: 0, breakers: {}, quarantine: null },
    stats: {},
    last_heartbeat_at: '2024-01-01T00:00:00.000Z',
    registered_at: '2024-01-01T00:00:00.000Z',
    ...over,
  };
}

const fleet = [
  agent({ name: 'alpha', skills: ['summarize'] }),
  agent({
    name: 'beta',
    state: 'quarantined',
    health: {
      consecutive_failures: 3,
      crashes: 0,
      breakers: {},
      quarantine: { reason: 'Leaked Secrets', at: '2024-01-01T00:00:00.000Z', by: 'system' },
    },
  }),
  agent({ name: 'gamma', state: 'lost', skills: ['code.review'] }),
];

describe('filterAgents', () => {
  it('keeps the agents of the chosen state', () => {
    expect(filterAgents(fleet, { state: 'quarantined' }).map((a) => a.name)).toEqual(['beta']);
  });

  it('matches the text in any case against name, skills and the quarantine reason', () => {
    expect(filterAgents(fleet, { text: 'REVIEW' }).map((a) => a.name)).toEqual(['gamma']);
    expect(filterAgents(fleet, { text: 'secrets' }).map((a) => a.name)).toEqual(['beta']);
    expect(filterAgents(fleet, { text: 'a-alp' }).map((a) => a.name)).toEqual(['alpha']);
  });

  it('keeps every agent with no filter, by name, and none when state and text disagree', () => {
    expect(filterAgents([...fleet].reverse(), {}).map((a) => a.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect(filterAgents(fleet, { state: 'lost', text: 'alpha' })).toEqual([]);
  });
});

describe('the fleet’s figures', () => {
  it('counts every state, zero for those with no agent', () => {
    expect(Object.fromEntries(countByState(fleet))).toEqual({
      active: 1,
      draining: 0,
      lost: 1,
      quarantined: 1,
      unregistered: 0,
    });
  });

  it('gives load as leases over capacity', () => {
    expect(loadRatio({ active_leases: 3, max_parallel: 4 })).toBe(0.75);
  });

  it('lists open breakers first, the agent-wide one before skills', () => {
    const views = breakerViews(
      agent({
        name: 'x',
        health: {
          consecutive_failures: 0,
          crashes: 0,
          quarantine: null,
          breakers: {
            summarize: { state: 'closed', failures: 0, opened_at: null, probes: 0 },
            review: { state: 'half_open', failures: 2, opened_at: null, probes: 1 },
            '*': { state: 'open', failures: 5, opened_at: null, probes: 0 },
            code: { state: 'open', failures: 3, opened_at: null, probes: 0 },
          },
        },
      }),
    );
    expect(views.map((b) => `${b.key}:${b.state}`)).toEqual([
      'agent:open',
      'code:open',
      'review:half_open',
      'summarize:closed',
    ]);
  });

  it('offers release only to a quarantined agent and drain only to an active one', () => {
    expect(agentActions('quarantined')).toEqual({ release: true, quarantine: false, drain: false });
    expect(agentActions('active')).toEqual({ release: false, quarantine: true, drain: true });
    expect(agentActions('unregistered')).toEqual({ release: false, quarantine: false, drain: false });
  });

  it('averages task time over successes, and has none without one', () => {
    expect(meanMs({ succeeded: 4, total_ms: 1000 })).toBe(250);
    expect(meanMs({ succeeded: 0, total_ms: 0 })).toBeNull();
    expect(successRatio({ succeeded: 3, failed: 1 })).toBe(0.75);
    expect(successRatio({ succeeded: 0, failed: 0 })).toBeNull();
  });
});
