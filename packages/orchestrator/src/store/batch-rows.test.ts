import { describe, expect, it } from 'vitest';
import type { Agent } from '../registry/agent.ts';
import type { Goal } from '../scheduler/goal.ts';
import { BatchRows, type RowWriter } from './batch-rows.ts';
import { agent, goal } from '../records.fixture.ts';

/** The writes BatchRows makes, in order (the database side is covered by the backend contract). */
function recording() {
  const written: string[] = [];
  const tx: RowWriter = {
    putAgent: async (a: Agent) => void written.push(`agent ${a.id} trust ${a.trust}`),
    putGoal: async (g: Goal) => void written.push(`goal ${g.id} succeeded ${g.succeededCount}`),
  };
  return { written, tx, rows: new BatchRows() };
}

describe('BatchRows', () => {
  it('writes a known row that many ops updated once, with the last value, when the batch finishes', async () => {
    const { written, tx, rows } = recording();
    const g = goal({ id: 'g', succeededCount: 0 });
    rows.exists('goal', 'g');
    for (let n = 1; n <= 50; n++) {
      const current = rows.goal('g') ?? g;
      await rows.putGoal({ ...current, succeededCount: current.succeededCount + 1 }, tx);
      rows.endOp(true);
    }
    expect(written).toEqual([]);
    expect(rows.goal('g')?.succeededCount).toBe(50);
    await rows.finish(tx);
    expect(written).toEqual(['goal g succeeded 50']);
  });

  it('writes a row not known to exist at once, so a missing row fails in its own op', async () => {
    const { written, tx, rows } = recording();
    await rows.putAgent(agent({ id: 'new', trust: 0.5 }), tx);
    expect(written).toEqual(['agent new trust 0.5']);
    await rows.putAgent(agent({ id: 'new', trust: 0.6 }), tx);
    rows.endOp(true);
    await rows.finish(tx);
    expect(written).toEqual(['agent new trust 0.5', 'agent new trust 0.6']);
  });

  it('drops the rows of an op that threw, and what it learnt exists', async () => {
    const { written, tx, rows } = recording();
    rows.exists('agent', 'a');
    await rows.putAgent(agent({ id: 'a', trust: 0.1 }), tx);
    rows.endOp(false);
    expect(rows.agent('a')).toBeUndefined();
    await rows.putAgent(agent({ id: 'a', trust: 0.2 }), tx);
    expect(written).toEqual(['agent a trust 0.2']);
  });

  it('holds again the rows of resolved ops that a failing op wrote early (its rollback undid them)', async () => {
    const { written, tx, rows } = recording();
    rows.exists('agent', 'a');
    rows.exists('agent', 'b');
    await rows.putAgent(agent({ id: 'a', trust: 0.3 }), tx);
    rows.endOp(true);
    await rows.putAgent(agent({ id: 'b', trust: 0.9 }), tx);
    await rows.writeHeld(tx);
    expect(written).toEqual(['agent a trust 0.3', 'agent b trust 0.9']);
    rows.endOp(false);
    expect(rows.agent('a')?.trust).toBe(0.3);
    expect(rows.agent('b')).toBeUndefined();
    await rows.finish(tx);
    expect(written.at(-1)).toBe('agent a trust 0.3');
  });

  it('holds every resolved row again when a write fails part-way through writeHeld', async () => {
    const { tx, rows } = recording();
    rows.exists('agent', 'a');
    rows.exists('agent', 'b');
    await rows.putAgent(agent({ id: 'a', trust: 0.3 }), tx);
    await rows.putAgent(agent({ id: 'b', trust: 0.4 }), tx);
    rows.endOp(true);
    const failing: RowWriter = { ...tx, putAgent: async () => Promise.reject(new Error('connection lost')) };
    await expect(rows.writeHeld(failing)).rejects.toThrow('connection lost');
    rows.endOp(false);
    expect([rows.agent('a')?.trust, rows.agent('b')?.trust]).toEqual([0.3, 0.4]);
  });
});
