import { describe, expect, it } from 'vitest';
import type { WireEvent } from '@kos/contracts';
import { assignmentsOf, receiptLabel, timelineOf } from './timeline.ts';

const event = (
  seq: number,
  kind: WireEvent['kind'],
  data: Record<string, unknown>,
  agent: string | null = null,
): WireEvent => ({
  seq,
  at: `2025-01-01T00:00:0${seq}.000Z`,
  kind,
  goal_id: 'g',
  task_id: 't',
  agent_id: agent,
  actor: 'system',
  data: data as WireEvent['data'],
});

const history = [
  event(
    3,
    'task.assigned',
    { epoch: 1, attempt: 1, score: 0.8125, parts: { trust: 1 }, explanation: 'load 0/4', candidates: 2 },
    'a-1',
  ),
  event(1, 'task.state', { from: 'pending', to: 'ready', epoch: 0, attempt: 0 }),
  event(4, 'task.lease_revoked', { reason: 'heartbeat_timeout', epoch: 1, attempt: 1 }, 'a-1'),
];

describe('task timeline', () => {
  it('lists transitions, leases and revocations in order with their epochs', () => {
    expect(timelineOf(history).map((e) => [e.seq, e.summary, e.epoch])).toEqual([
      [1, 'pending → ready', 0],
      [3, 'assigned to a-1, score 0.813', 1],
      [4, 'lease revoked: heartbeat_timeout', 1],
    ]);
  });

  it('gives each assignment its score explanation and candidates', () => {
    expect(assignmentsOf(history)).toEqual([
      {
        seq: 3,
        at: history[0]!.at,
        agentId: 'a-1',
        epoch: 1,
        attempt: 1,
        score: 0.8125,
        explanation: 'load 0/4',
        parts: { trust: 1 },
        candidates: 2,
      },
    ]);
  });

  it('says whose key a verified result is attributed to, and why others are not', () => {
    expect(receiptLabel({ status: 'verified', key: 'ed25519:ab', detail: '' })).toBe(
      'verified: attributed to key ed25519:ab',
    );
    expect(receiptLabel({ status: 'unproven', key: null, detail: 'token t-1' })).toBe(
      'unproven (reported over REST): token t-1',
    );
    expect(receiptLabel({ status: 'not_verifiable', key: null, detail: 'chain broken' })).toBe(
      'not verifiable: chain broken',
    );
    expect(receiptLabel({ status: 'pending', key: 'ed25519:ab', detail: 'not yet covered' })).toMatch(
      /^pending: .*ed25519:ab/,
    );
  });
});
