import { describe, expect, it } from 'vitest';
import type { Agent } from '../../registry/agent.ts';
import type { Goal } from '../../scheduler/goal.ts';
import { agent, goal } from '../contract-records.ts';
import { BatchRows } from './batch-rows.ts';

/** The writes BatchRows makes, in order (the database side is covered by the backend contract). */
function recording() {
  const written: string[] = [];
  const writes = {
    putAgent: (a: Agent) => void written.push(`agent ${a.id} trust ${a.trust}`),
    putGoal: (g: Goal) => void written.push(`goal ${g.id} succeeded ${g.succeededCount}`),
  };
  return { written, rows: new BatchRows(writes) };
}

describe('BatchRows', () => {
  it('writes a known row that many ops updated once, with the last value, when the batch finishes', () => {
    const { written, rows } = recording();
    const g = goal({ id: 'g', succeededCount: 0 });
    for (let n = 1; n <= 50; n++) {
      if (n === 1) rows.exists('goal', 'g');
      const current = rows.goal('g') ?? g;
      rows.putGoal({ ...current, succeededCount: current.succeededCount + 1 });
      rows.endOp(true);
    }
    expect(written).toEqual([]);
    expect(rows.goal('g')?.succeededCount).toBe(50);
    rows.finish();
    expect(written).toEqual(['goal g succeeded 50']);
  });

  it('writes a row not known to exist at once, so a missing row fails in its own op', () => {
    const { written, rows } = recording();
    rows.putAgent(agent({ id: 'new', trust: 0.5 }));
    expect(written).toEqual(['agent new trust 0.5']);
    rows.putAgent(agent({ id: 'new', trust: 0.6 }));
    rows.endOp(true);
    rows.finish();
    expect(written).toEqual(['agent new trust 0.5', 'agent new trust 0.6']);
  });

  it('drops the rows of an op that threw, and what it learnt exists', () => {
    const { written, rows } = recording();
    rows.exists('agent', 'a');
    rows.putAgent(agent({ id: 'a', trust: 0.1 }));
    rows.endOp(false);
    expect(rows.agent('a')).toBeUndefined();
    rows.putAgent(agent({ id: 'a', trust: 0.2 }));
    expect(written).toEqual(['agent a trust 0.2']);
  });

  it('holds again the rows of resolved ops that a failing op wrote early (its rollback undid them)', () => {
    const { written, rows } = recording();
    rows.exists('agent', 'a');
    rows.putAgent(agent({ id: 'a', trust: 0.3 }));
    rows.endOp(true);
    rows.putAgent(agent({ id: 'b', trust: 0.9 }));
    rows.writeHeld();
    expect(written).toEqual(['agent b trust 0.9', 'agent a trust 0.3']);
    rows.endOp(false);
    expect(rows.agent('a')?.trust).toBe(0.3);
    expect(rows.agent('b')).toBeUndefined();
    rows.finish();
    expect(written.at(-1)).toBe('agent a trust 0.3');
  });
});
