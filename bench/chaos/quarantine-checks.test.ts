import { describe, expect, it } from 'vitest';
import type { LogEvent } from './event-log.ts';
import { judgeFailing, judgeForger } from './quarantine-checks.ts';

const RULES = { breakerThreshold: 3, cooldownMs: 400, quarantineThreshold: 5 };
const BAD = 'id-bad';

/** A log built in order: each event gets the next seq. */
function log(...events: Omit<LogEvent, 'seq' | 'goalId'>[]): LogEvent[] {
  return events.map((e, i) => ({ ...e, seq: i + 1, goalId: 'g' }));
}
const lease = (at: number, task = `t${at}`, agentId = BAD) =>
  ({ kind: 'task.assigned', at, taskId: task, agentId, data: { epoch: 1 } }) as const;
const failure = (at: number, task = `t${at}`) =>
  ({
    kind: 'task.state',
    at,
    taskId: task,
    agentId: BAD,
    data: { from: 'running', to: 'retrying', error: { code: 'chaos_broken' } },
  }) as const;
const quarantined = (at: number, trigger = 'consecutive_failures', agentId = BAD) =>
  ({ kind: 'agent.state', at, taskId: null, agentId, data: { to: 'quarantined', trigger } }) as const;

/** Leases and failures alternating; from the third failure on, each lease waits a cool-down. */
function failingHistory(failures: number): Omit<LogEvent, 'seq' | 'goalId'>[] {
  const out: Omit<LogEvent, 'seq' | 'goalId'>[] = [];
  let at = 1000;
  for (let k = 1; k <= failures; k++) {
    out.push(lease(at));
    out.push(failure(at + 5, `t${at}`));
    at += k >= RULES.breakerThreshold ? RULES.cooldownMs + 10 : 10;
  }
  return out;
}

describe('judgeFailing', () => {
  it('accepts a quarantine logged right after the threshold failure, in its transaction', () => {
    const history = failingHistory(5);
    const last = history.pop()!;
    // Effect before cause is not the store's order: not counted as the same transaction.
    expect(judgeFailing(log(...history, quarantined(last.at), last), BAD, RULES).sameTransaction).toBe(false);
    for (const events of [log(...history, last, quarantined(last.at))]) {
      const v = judgeFailing(events, BAD, RULES);
      expect(v).toMatchObject({
        failures: 5,
        leases: 5,
        sameTransaction: true,
        leasesBetween: 0,
        leasesAfter: 0,
        failuresAfter: 0,
      });
      expect(v.quarantine?.trigger).toBe('consecutive_failures');
      expect(v.breakerWaits).toEqual([RULES.cooldownMs + 5, RULES.cooldownMs + 5]);
    }
  });

  it('sees a lease slipped in between the threshold failure and a later quarantine', () => {
    const history = failingHistory(5);
    const v = judgeFailing(log(...history, lease(9000), quarantined(9001)), BAD, RULES);
    expect(v.sameTransaction).toBe(false);
    expect(v.leasesBetween).toBe(1);
  });

  it('counts the failures of an agent quarantined too early, and leases after the quarantine', () => {
    const history = failingHistory(4);
    const last = history.pop()!;
    const v = judgeFailing(
      log(...history, last, quarantined(last.at), lease(9000), failure(9005)),
      BAD,
      RULES,
    );
    expect(v.failures).toBe(4);
    expect(v.thresholdFailure?.seq).toBeGreaterThan(v.quarantine!.seq + 1);
    expect(v.sameTransaction).toBe(false);
    expect(v.leasesAfter).toBe(1);
    expect(v.failuresAfter).toBe(1);
  });

  it('reports a lease granted through an open breaker before its cool-down', () => {
    const events = log(...failingHistory(3), lease(1100));
    expect(Math.min(...judgeFailing(events, BAD, RULES).breakerWaits)).toBeLessThan(RULES.cooldownMs);
  });

  it('finds no quarantine, nor a decision, when there is none; other agents do not count', () => {
    const v = judgeFailing(log(...failingHistory(5), quarantined(9000, 'operator', 'id-other')), BAD, RULES);
    expect(v.quarantine).toBeNull();
    expect(v.sameTransaction).toBe(false);
    expect(v.failures).toBe(5);
  });
});

describe('judgeForger', () => {
  const alert = (at: number) =>
    ({
      kind: 'security.alert',
      at,
      taskId: null,
      agentId: BAD,
      data: { code: 'KOS_ERR_BAD_SIGNATURE' },
    }) as const;
  const revoked = (at: number) =>
    ({
      kind: 'task.lease_revoked',
      at,
      taskId: 'held',
      agentId: BAD,
      data: { reason: 'agent_quarantined' },
    }) as const;
  const succeeded = (at: number, agentId: string) =>
    ({ kind: 'task.state', at, taskId: 'held', agentId, data: { to: 'succeeded' } }) as const;

  it('follows the forged frame to the quarantine, the revocation and the rescuer', () => {
    const events = log(
      lease(1, 'held'),
      alert(10),
      quarantined(11, 'forged_frame'),
      revoked(11),
      lease(12, 'held', 'id-rescuer'),
      succeeded(20, 'id-rescuer'),
    );
    expect(judgeForger(events, BAD, 'held', 'id-rescuer')).toEqual({
      alert: { seq: 2, at: 10, code: 'KOS_ERR_BAD_SIGNATURE' },
      quarantine: { seq: 3, at: 11, trigger: 'forged_frame' },
      between: [],
      revoked: true,
      reassigned: { seq: 5, at: 12 },
      successBy: ['id-rescuer'],
      leasesAfter: 0,
    });
  });

  it('sees what happened to the agent between alert and quarantine, and any lease after', () => {
    const events = log(
      lease(1, 'held'),
      alert(10),
      lease(11, 'other'),
      revoked(12), // not for the quarantine: before it
      quarantined(13, 'forged_frame'),
      lease(14, 'later'),
      lease(15, 'held', 'id-rescuer'),
    );
    const v = judgeForger(events, BAD, 'held', 'id-rescuer');
    expect(v.between).toEqual(['task.assigned', 'task.lease_revoked']);
    expect(v.revoked).toBe(false);
    expect(v.reassigned).toBeNull();
    expect(v.leasesAfter).toBe(1);
  });
});
